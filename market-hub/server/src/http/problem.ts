import type { FieldProblem, RuleId } from "@openlem/protocol";

/** A field that breaks one of the rules beyond the schema (protocol's RULES_BEYOND_SCHEMA). */
export interface Refusal extends FieldProblem {
  ruleId: RuleId;
}

/** Names the rule a field breaks, so that every 422 is one of the listed ones. */
export function refusal(ruleId: RuleId, field: string, rule: string): Refusal {
  return { field, rule, ruleId };
}

/**
 * An error the API reports as application/problem+json (RFC 9457): a status, a title, what
 * to do about it, and for bad input the fields and the rules they break.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail);
  }

  static badRequest(detail: string, errors: FieldProblem[] = []): Problem {
    return new Problem(400, "Bad request", detail, errors);
  }
  static unauthorized(detail = "log in first: send Authorization: Bearer <access token>"): Problem {
    return new Problem(401, "Unauthorized", detail);
  }
  static forbidden(detail: string): Problem {
    return new Problem(403, "Forbidden", detail);
  }
  static notFound(detail: string): Problem {
    return new Problem(404, "Not found", detail);
  }
  static conflict(detail: string, errors: FieldProblem[] = []): Problem {
    return new Problem(409, "Conflict", detail, errors);
  }
  /** Input of the right shape that breaks a rule beyond the schema; the body says field and rule only. */
  static unprocessable(detail: string, errors: readonly Refusal[]): Problem {
    return new Problem(
      422,
      "Unprocessable content",
      detail,
      errors.map(({ field, rule }) => ({ field, rule })),
    );
  }
  static tooManyRequests(detail: string): Problem {
    return new Problem(429, "Too many requests", detail);
  }
}
