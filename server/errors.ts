/**
 * What the API answers when it cannot do what was asked. Input the client can fix is an
 * `InvalidInputError` (400, with each problem's field and reason); these name the other cases.
 */

/** An id (analysis, line, configuration, workflow) that does not exist: 404. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The analysis exists but cannot serve this request (its data is gone, it predates a field): 409. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A service the request needs (MongoDB, Temporal) cannot be reached: 503. */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}
