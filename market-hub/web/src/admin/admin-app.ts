import type { BookCurves, Community, DeviceToken, Kpis, MarketClock, Meter, SlotResult } from "@openlem/protocol";
import { DAY_MS, TOKEN_SCOPE_NAME } from "@openlem/protocol";
import { html, nothing } from "lit";
import { Api, ct, kwh } from "../api.js";
import { form, HubPage, str } from "../page.js";
import { bookSection } from "./book-section.js";
import { clearingSection, resultsSection } from "./clearing-section.js";

type Result = SlotResult;
type Clock = MarketClock;
type Book = BookCurves;

/** The community operator's pages: communities and market rules, meters, clearing, results and KPIs. */
export class OpenLemAdmin extends HubPage {
  static override properties = {
    ...HubPage.properties,
    communities: { state: true },
    selected: { state: true },
    meters: { state: true },
    results: { state: true },
    clock: { state: true },
    kpis: { state: true },
    pin: { state: true },
    book: { state: true },
    tokens: { state: true },
  };
  protected readonly api = new Api("openlem-admin-token");
  communities: Community[] = [];
  selected: Community | null = null;
  meters: Meter[] = [];
  results: Result[] = [];
  clock: Clock | null = null;
  kpis: Kpis | null = null;
  pin: { meterId: string; pin: string } | null = null;
  book: Book | null = null;
  tokens: { householdId: string; list: DeviceToken[] } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.api.token) void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      this.communities = await this.api.call("listCommunities");
      const keep = this.selected?.id;
      this.selected = this.communities.find((c) => c.id === keep) ?? this.communities[0] ?? null;
      await this.loadCommunity();
    });
  }

  private async loadCommunity(): Promise<void> {
    const c = this.selected;
    if (!c) return;
    const params = { communityId: c.id };
    const [meters, clock, kpis] = await Promise.all([
      this.api.call("listMeters", { params }),
      this.api.call("clock", { params }),
      this.api.call("kpis", { params, query: { period: "day" } }),
    ]);
    const from = new Date(Date.parse(clock.now) - DAY_MS).toISOString();
    this.results = await this.api.call("results", { params, query: { from } });
    this.book = await this.api.call("book", { params, query: { slot: clock.nextOpenSlot } });
    Object.assign(this, { meters, clock, kpis });
  }

  private login(e: Event) {
    e.preventDefault();
    const f = form(e);
    void this.run(async () => {
      await this.api.login(str(f, "email"), str(f, "password"));
      await this.load();
    });
  }

  private register(e: Event) {
    e.preventDefault();
    const f = form(e);
    // taken now: once the event has been dispatched, its target (inside the shadow root) is gone
    const el = e.target as HTMLFormElement;
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      const m = await this.api.call("registerMeter", {
        params: { communityId: c.id },
        body: { meterId: str(f, "meterId"), householdId: str(f, "householdId") },
      });
      this.pin = { meterId: m.meterId, pin: m.pin };
      el.reset();
      await this.loadCommunity();
    });
  }

  /** A new PIN for an unlinked meter (the old one, or a PIN locked by wrong guesses, stops working). */
  private newPin(meterId: string) {
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      const m = await this.api.call("issueMeterPin", { params: { communityId: c.id, meterId } });
      this.pin = { meterId: m.meterId, pin: m.pin };
    });
  }

  private unlink(meterId: string) {
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      await this.api.call("unlinkMeter", { params: { communityId: c.id, meterId } });
      await this.loadCommunity();
    });
  }

  private tariffs(e: Event) {
    e.preventDefault();
    const f = form(e);
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      const market = { ...c.market, retailPrice: Number(str(f, "retail")), feedInTariff: Number(str(f, "feedIn")) };
      this.selected = await this.api.call("updateMarket", { params: { communityId: c.id }, body: market });
      this.notice = "market rules saved";
    });
  }

  private clear(e: Event) {
    e.preventDefault();
    const f = form(e);
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      const r = await this.api.call("clearSlot", { params: { communityId: c.id }, body: { slot: str(f, "slot") } });
      this.notice = `slot ${r.slot} cleared: ${kwh(r.markets.reduce((s, m) => s + m.localWh, 0))} traded locally`;
      await this.loadCommunity();
    });
  }

  private showTokens(householdId: string) {
    const c = this.selected;
    if (!c) return;
    void this.run(async () => {
      const list = await this.api.call("listDeviceTokens", { params: { communityId: c.id, householdId } });
      this.tokens = { householdId, list };
    });
  }

  private revoke(id: number) {
    const h = this.tokens?.householdId;
    void this.run(async () => {
      await this.api.call("revokeDeviceToken", { params: { id } });
      if (h) this.showTokens(h);
    });
  }

  /** The latest slot the hub may clear now (the market clock says, by the gate rules). */
  private closedSlot(): string {
    return this.clock?.lastClearableSlot ?? "";
  }

  override render() {
    return this.frame(
      "OpenLEM · community operator",
      this.api.token ? this.dashboard() : html`<main>${this.loginSection((e) => this.login(e))}</main>`,
    );
  }

  private dashboard() {
    const c = this.selected;
    return html`<main>
      <section aria-labelledby="comm-h">
        <h2 id="comm-h">Community</h2>
        <label
          >Community
          <select
            name="community"
            @change=${(e: Event) => {
              this.selected = this.communities.find((x) => x.id === (e.target as HTMLSelectElement).value) ?? null;
              void this.run(() => this.loadCommunity());
            }}
          >
            ${this.communities.map((x) => html`<option value=${x.id} ?selected=${x.id === c?.id}>${x.name} (${x.id})</option>`)}
          </select>
        </label>
        ${
          c
            ? html`<p class="muted">
                  ${c.market.mechanism}${c.market.uniformPricing === "k-double" ? "" : ` (${c.market.uniformPricing} price)`} clearing, ${c.market.slotMinutes}-minute slots, ${c.market.timeZone}; bids between
                  ${ct(c.market.priceFloor)} and ${ct(c.market.priceCap)}
                </p>
                <form @submit=${this.tariffs} aria-label="Tariffs">
                  <label>Retail price (per kWh) <input name="retail" type="number" step="0.00001" .value=${String(c.market.retailPrice)} /></label>
                  <label>Feed-in tariff (per kWh) <input name="feedIn" type="number" step="0.00001" .value=${String(c.market.feedInTariff)} /></label>
                  <button type="submit">Save tariffs</button>
                </form>`
            : html`<p class="muted">No community yet: create one through the API (POST /api/communities).</p>`
        }
      </section>
      ${c ? this.metersSection() : nothing} ${c ? this.clearingSection() : nothing} ${c && this.book ? bookSection(this.book) : nothing}
      ${c ? this.resultsSection() : nothing}
    </main>`;
  }

  private metersSection() {
    return html`<section aria-labelledby="meters-h" data-testid="meters">
      <h2 id="meters-h">Members and meters</h2>
      <form @submit=${this.register} aria-label="Register a meter">
        <label>Meter id <input name="meterId" required /></label>
        <label>Household <input name="householdId" required /></label>
        <button type="submit">Register meter</button>
      </form>
      ${
        this.pin
          ? html`<p role="status" data-testid="pin">
              PIN for ${this.pin.meterId}: <span class="pin">${this.pin.pin}</span><br /><span class="muted"
                >shown once: hand it to the household, it links the meter with it</span
              >
            </p>`
          : nothing
      }
      <table>
        <thead><tr><th>Meter</th><th>Household</th><th>Linked</th><th></th></tr></thead>
        <tbody>
          ${this.meters.map(
            (m) => html`<tr>
              <td>${m.meterId}</td>
              <td>${m.householdId}</td>
              <td>${m.linked ? "yes" : "no"}</td>
              <td>
                ${
                  m.linked
                    ? html`<button class="plain" @click=${() => this.unlink(m.meterId)}>Unlink</button>`
                    : html`<button class="plain" aria-label=${`New PIN for ${m.meterId}`} @click=${() => this.newPin(m.meterId)}>New PIN</button>`
                }
                <button class="plain" aria-label=${`Device tokens of ${m.householdId}`} @click=${() => this.showTokens(m.householdId)}>Tokens</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${
        this.tokens
          ? html`<h2 style="margin-top:12px">Device tokens of ${this.tokens.householdId}</h2>
              <table data-testid="tokens">
                <thead><tr><th>Name</th><th>Kind</th><th>Made</th><th>State</th><th></th></tr></thead>
                <tbody>
                  ${this.tokens.list.map(
                    (t) => html`<tr>
                      <td>${t.name}</td>
                      <td>${TOKEN_SCOPE_NAME[t.scope]}</td>
                      <td>${t.createdAt.slice(0, 10)}</td>
                      <td>${t.revokedAt ? "revoked" : "active"}</td>
                      <td>${t.revokedAt ? nothing : html`<button class="plain" @click=${() => this.revoke(t.id)}>Revoke</button>`}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
          : nothing
      }
    </section>`;
  }

  private clearingSection() {
    return clearingSection({
      clock: this.clock,
      kpis: this.kpis,
      currency: this.selected?.market.currency ?? "",
      closedSlot: this.closedSlot(),
      onClear: (e) => this.clear(e),
    });
  }

  private resultsSection() {
    return resultsSection(this.results, this.resultsChart(this.results, this.selected?.market ?? null));
  }
}
customElements.define("openlem-admin", OpenLemAdmin);
