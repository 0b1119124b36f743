import type { RangePage, TimeRange } from "@openlem/protocol";
import { MAX_RANGE_DAYS, rangePage } from "@openlem/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The page of a requested range this answer covers; when more lies beyond it, a
 * `Link: <…>; rel="next"` header names the request for the next page (RFC 8288).
 */
export function answerPage(
  req: FastifyRequest,
  reply: FastifyReply,
  range: TimeRange,
  fallback: { from: string; to: string },
  defaultDays?: number,
): RangePage {
  const page = rangePage(range, fallback, defaultDays);
  if (page.next) {
    const u = new URL(req.url, "http://hub");
    u.searchParams.set("from", page.next.from);
    u.searchParams.set("to", page.next.to);
    reply.header("link", `<${u.pathname}${u.search}>; rel="next"`);
  }
  return page;
}

/**
 * A range with neither end given stays open (the list's own limit applies); otherwise one page,
 * a missing end a month from the given one (a catch-up "since" reads a month at once).
 */
export function optionalPage(
  req: FastifyRequest,
  reply: FastifyReply,
  range: TimeRange,
): { from?: string; to?: string; empty: boolean } {
  if (!range.from && !range.to) return { empty: false };
  const page = answerPage(req, reply, range, { from: "", to: "" }, MAX_RANGE_DAYS);
  return { from: page.from, to: page.to, empty: page.empty };
}
