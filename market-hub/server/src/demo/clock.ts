/** A clock that runs `speed` times faster than real time from the moment it is made. */
export function acceleratedClock(speed: number, start = Date.now()): () => Date {
  const realStart = Date.now();
  return () => new Date(start + (Date.now() - realStart) * speed);
}
