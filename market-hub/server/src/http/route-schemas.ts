import { ProblemBody } from "./errors.js";

/** OpenAPI security for routes that take a bearer token (access token or device token). */
export const security = [{ bearer: [] }];

/** An error answer as it goes out: application/problem+json (RFC 9457). */
export const problem = { content: { "application/problem+json": { schema: ProblemBody } } };

/** The problem+json answers an authenticated route can give; listed once for the OpenAPI document. */
export const errorResponses = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  422: problem,
};
