import { priceChart } from "@openlem/lovelace-cards/price-chart";
import type { PriceSlot } from "@openlem/lovelace-cards/price-data";
import { localPriceOf, type SlotResult } from "@openlem/protocol";
import { html, LitElement, nothing, type TemplateResult } from "lit";
import type { Api } from "./api.js";
import { pageStyles } from "./styles.js";

export const form = (e: Event) => new FormData(e.target as HTMLFormElement);
export const str = (f: FormData, k: string) => String(f.get(k) ?? "").trim();

export type ResultLike = Pick<SlotResult, "slot" | "markets">;

/** What both pages share: the session, errors and notices, the header, and the price chart. */
export abstract class HubPage extends LitElement {
  static override styles = pageStyles;
  static override properties = { error: { state: true }, notice: { state: true } };
  protected abstract readonly api: Api;
  error = "";
  notice = "";

  /** Runs an action; a refusal shows as the page's error, naming what to fix. */
  protected async run(what: () => Promise<void>): Promise<void> {
    this.error = "";
    try {
      await what();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  protected logout(): void {
    void this.api.logout();
    this.requestUpdate();
  }

  protected frame(title: string, body: TemplateResult): TemplateResult {
    return html`<header>
        <h1>${title}</h1>
        ${this.api.token ? html`<button class="plain" @click=${() => this.logout()}>Log out</button>` : nothing}
      </header>
      ${this.error ? html`<p role="alert" class="error" style="padding:0 20px">${this.error}</p>` : nothing}
      ${this.notice ? html`<p role="status" class="muted" style="padding:0 20px">${this.notice}</p>` : nothing}
      ${body}`;
  }

  protected loginSection(onSubmit: (e: Event) => void): TemplateResult {
    return html`<section aria-labelledby="login-h">
      <h2 id="login-h">Log in</h2>
      <form @submit=${onSubmit}>
        <label>E-mail <input name="email" type="email" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Log in</button>
      </form>
    </section>`;
  }

  /** Cleared local prices against retail and feed-in, drawn as the Lovelace price card draws them. */
  protected resultsChart(
    results: readonly ResultLike[],
    market: { retailPrice: number; feedInTariff: number; slotMinutes: number; timeZone: string } | null,
  ): TemplateResult {
    const slots: PriceSlot[] = results
      .map((r) => ({
        startMs: Date.parse(r.slot),
        value: localPriceOf(r) ?? Number.NaN,
        kind: "cleared" as const,
      }))
      .filter((s) => Number.isFinite(s.value))
      .sort((a, b) => a.startMs - b.startMs);
    if (!slots.length) return html`<p class="muted">No local trade yet.</p>`;
    // the community's calendar, whatever zone the operator's browser is in
    const hhmm = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: market?.timeZone ?? "UTC",
    });
    return priceChart({
      slots,
      slotMs: (market?.slotMinutes ?? 15) * 60_000,
      retail: market?.retailPrice ?? null,
      feedIn: market?.feedInTariff ?? null,
      nowMs: null,
      window: null,
      nextDayMs: null,
      labels: { title: "Local price", retail: "retail", feedIn: "feed-in", nextDay: "", noData: "no local trade" },
      time: (ms) => hhmm.format(ms),
      timeZone: market?.timeZone ?? "UTC",
    });
  }
}
