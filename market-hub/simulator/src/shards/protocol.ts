/**
 * The control words a `ShardPool` and its workers share (an Int32Array on a
 * SharedArrayBuffer): the main thread writes a chunk and bumps COMMAND; the worker runs it,
 * sets RAN to each slot it finished (+ 1: the main thread clears that slot meanwhile), and
 * DONE to the command's number at the end (its negative when the chunk failed).
 */
export const COMMAND = 0;
export const FROM_SLOT = 1;
export const TO_SLOT = 2;
export const DONE = 3;
export const RAN = 4;
export const CONTROL_WORDS = 5;
