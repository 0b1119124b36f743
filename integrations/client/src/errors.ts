import type { FieldProblem } from "@openlem/protocol";

/**
 * A refusal from the hub (its application/problem+json body), or a hub that could not be
 * reached after the retries. `errors` name each field and rule for bad input.
 */
export class HubError extends Error {
  constructor(
    /** HTTP status; 0 when the hub was not reachable. */
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(errors.length ? `${detail}: ${errors.map((e) => `${e.field}: ${e.rule}`).join("; ")}` : detail);
    this.name = "HubError";
  }

  /** The hub could not be reached (network down, hub restarting): devices fall back to local behaviour. */
  get unreachable(): boolean {
    return this.status === 0 || this.status >= 502;
  }

  /** The hub refused the device token (401) or its household (403): a new token or config helps, not a retry. */
  get refused(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /**
   * The hub cannot be used now (unreachable, or it refused the token or household): devices
   * run under local control, and what was to be sent waits for it.
   */
  get unusable(): boolean {
    return this.unreachable || this.refused;
  }
}
