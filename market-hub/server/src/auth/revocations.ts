/**
 * Tells the parts of this hub process that hold sessions open (the embedded broker's MQTT
 * clients) that a token or session was revoked, so that they check their clients again at
 * once instead of at their next periodic check.
 */
type Listener = () => void;
const listeners = new Set<Listener>();

export function onRevocation(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceRevocation(): void {
  for (const l of listeners) l();
}
