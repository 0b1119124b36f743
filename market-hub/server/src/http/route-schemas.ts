import { ProblemBody } from "./errors.js";

/** OpenAPI security for routes that take a bearer token (access token or device token). */
export const security = [{ bearer: [] }];

/** The problem+json answers an authenticated route can give; listed once for the OpenAPI document. */
export const errorResponses = {
  400: ProblemBody,
  401: ProblemBody,
  403: ProblemBody,
  404: ProblemBody,
  409: ProblemBody,
  422: ProblemBody,
};
