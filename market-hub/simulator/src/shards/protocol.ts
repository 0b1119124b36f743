/**
 * The control words a `ShardPool` and its workers share (an Int32Array on a
 * SharedArrayBuffer): the main thread writes a slot and bumps COMMAND; the worker acts on the
 * slot before it (its fills are written) and bids for it, then sets DONE to the command's
 * number (its negative when it failed). A slot of −1 asks the worker to report and stop.
 */
export const COMMAND = 0;
export const SLOT = 1;
export const DONE = 2;
export const CONTROL_WORDS = 3;
