import type {
  DeviceToken,
  DeviceTokenCreated,
  Fill,
  HouseholdRef,
  MarketConfig,
  OrderRecord,
  PeriodKind,
  Me as ProtocolMe,
  SlotResult,
  StandingPreference,
  Statement,
} from "@openlem/protocol";
import { TOKEN_SCOPES } from "@openlem/protocol";
import { html, nothing } from "lit";
import { Api, ct, kwh } from "../api.js";
import { form, HubPage, str } from "../page.js";
import { preferencesSection } from "./preferences-section.js";
import { tokensSection } from "./tokens-section.js";

/** The account behind these pages: a person's (a device token has no pages). */
type Me = Extract<ProtocolMe, { kind: "user" }>;
type Market = MarketConfig;
type Result = SlotResult;
type Period = PeriodKind;

/** Where a household's bought energy came from (the Landau app's split) and where its sold energy went. */
export function energySplit(fills: readonly Fill[]): { bought: Record<string, number>; sold: Record<string, number> } {
  const bought: Record<string, number> = {};
  const sold: Record<string, number> = {};
  for (const f of fills) {
    const where = f.counterparty === "utility" ? "grid" : (f.source ?? (f.market === "all" ? "local" : f.market));
    const into = f.side === "buy" ? bought : sold;
    into[where] = (into[where] ?? 0) + f.energyWh;
  }
  return { bought, sold };
}

const SOURCE_NAMES: Record<string, string> = {
  pv: "local PV",
  chp: "local CHP",
  battery: "battery",
  wind: "local wind",
  local: "neighbours",
  other: "neighbours",
  grid: "grid",
};

export function statementCsv(s: Statement): string {
  const rows = [["kind", "energy_wh", "average_price", "amount"]];
  for (const l of s.lines)
    rows.push([l.kind, String(l.energyWh), l.averagePrice === null ? "" : String(l.averagePrice), l.amount]);
  rows.push(["total", "", "", s.total], ["savings", "", "", s.savings]);
  return `${rows.map((r) => r.join(",")).join("\n")}\n`;
}

/** A household's own pages: joining, its energy and money, prices, trades and its price preferences. */
export class OpenLemParticipant extends HubPage {
  static override properties = {
    ...HubPage.properties,
    me: { state: true },
    market: { state: true },
    period: { state: true },
    statement: { state: true },
    week: { state: true },
    fills: { state: true },
    orders: { state: true },
    results: { state: true },
    tokens: { state: true },
    madeToken: { state: true },
    preference: { state: true },
  };
  protected readonly api = new Api("openlem-app-token");
  me: Me | null = null;
  market: Market | null = null;
  period: Period = "day";
  statement: Statement | null = null;
  week: Statement | null = null;
  fills: Fill[] = [];
  orders: OrderRecord[] = [];
  results: Result[] = [];
  tokens: DeviceToken[] = [];
  /** The household's standing price limits as the hub keeps them (its bridge uses the same). */
  preference: StandingPreference | null = null;
  /** The token just made: shown once, as the hub keeps only its hash. */
  madeToken: DeviceTokenCreated | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.api.token) void this.load();
  }

  private get household() {
    return this.me?.households[0] ?? null;
  }
  /** The path parameters of this household's routes. */
  private get params(): HouseholdRef {
    const h = this.household;
    if (!h) throw new Error("no household linked yet: link a meter first");
    return h;
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      const me = await this.api.call("me");
      // a device token has no account pages: these are for people
      this.me = me.kind === "user" ? me : null;
      if (!this.household) return;
      this.market = (await this.api.call("community", { params: this.params })).market;
      await this.loadPeriod();
    });
  }

  private async loadPeriod(): Promise<void> {
    if (!this.household) return;
    const [statement, week, orders, results] = await Promise.all([
      this.api.call("statement", { params: this.params, query: { period: this.period } }),
      this.api.call("statement", { params: this.params, query: { period: "week" } }),
      this.api.call("listOrders", { params: this.params }),
      this.api.call("results", { params: this.params }),
    ]);
    const { from, to } = statement.period;
    this.fills = await this.api.call("fills", { params: this.params, query: { from, to } });
    this.tokens = await this.api.call("listDeviceTokens", { params: this.params });
    const prefs = await this.api.call("listPreferences", { params: this.params });
    this.preference = prefs.find((p) => p.commodity === "electricity") ?? null;
    Object.assign(this, { statement, week, orders, results });
  }

  private auth(e: Event, kind: "login" | "register") {
    e.preventDefault();
    const f = form(e);
    void this.run(async () => {
      if (kind === "login") await this.api.login(str(f, "email"), str(f, "password"));
      else await this.api.register(str(f, "email"), str(f, "password"));
      await this.load();
    });
  }

  private link(e: Event) {
    e.preventDefault();
    const f = form(e);
    void this.run(async () => {
      const m = await this.api.call("linkMeter", { body: { meterId: str(f, "meterId"), pin: str(f, "pin") } });
      this.notice = `meter ${m.meterId} linked: you are household ${m.householdId}`;
      // the link changes what the token may do: log in afresh is not needed, /api/me reads the links
      await this.load();
    });
  }

  private savePreference(e: Event) {
    e.preventDefault();
    const f = form(e);
    void this.run(async () => {
      this.preference = await this.api.call("setPreference", {
        params: this.params,
        body: { maxBuyPrice: Number(str(f, "maxBuyPrice")), minSellPrice: Number(str(f, "minSellPrice")) },
      });
      this.notice = "price preference saved";
    });
  }

  private makeToken(e: Event) {
    e.preventDefault();
    const f = form(e);
    void this.run(async () => {
      this.madeToken = await this.api.call("createDeviceToken", {
        params: this.params,
        body: { name: str(f, "name"), scope: TOKEN_SCOPES.find((s) => s === str(f, "scope")) ?? "device" },
      });
      this.tokens = await this.api.call("listDeviceTokens", { params: this.params });
    });
  }

  private revokeToken(id: number) {
    void this.run(async () => {
      await this.api.call("revokeDeviceToken", { params: { id } });
      if (this.madeToken?.id === id) this.madeToken = null;
      this.tokens = await this.api.call("listDeviceTokens", { params: this.params });
    });
  }

  private tokensSection() {
    return tokensSection({
      made: this.madeToken,
      tokens: this.tokens,
      onMake: (e) => this.makeToken(e),
      onRevoke: (id) => this.revokeToken(id),
    });
  }

  private download() {
    const s = this.statement;
    if (!s) return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([statementCsv(s)], { type: "text/csv" }));
    a.download = `openlem-statement-${s.period.kind}-${s.period.start}.csv`;
    a.click();
  }

  protected override logout(): void {
    this.me = null;
    super.logout();
  }

  override render() {
    return this.frame(
      "OpenLEM · my household",
      !this.api.token ? this.joinForms() : !this.household ? this.linkForm() : this.household_(),
    );
  }

  private joinForms() {
    return html`<main>
      ${this.loginSection((e) => this.auth(e, "login"))}
      <section aria-labelledby="register-h">
        <h2 id="register-h">New here? Register</h2>
        <form @submit=${(e: Event) => this.auth(e, "register")}>
          <label>E-mail <input name="email" type="email" autocomplete="email" required /></label>
          <label>Password (10 characters or more) <input name="password" type="password" autocomplete="new-password" minlength="10" required /></label>
          <button type="submit">Register</button>
        </form>
      </section>
    </main>`;
  }

  private linkForm() {
    return html`<main>
      <section aria-labelledby="link-h">
        <h2 id="link-h">Link your meter</h2>
        <p class="muted">Your community's operator gave you your meter's id and a 6-digit PIN.</p>
        <form @submit=${this.link}>
          <label>Meter id <input name="meterId" required /></label>
          <label>PIN <input name="pin" inputmode="numeric" pattern="\\d{6}" required /></label>
          <button type="submit">Link meter</button>
        </form>
      </section>
    </main>`;
  }

  private household_() {
    const s = this.statement;
    const m = this.market;
    const split = energySplit(this.fills);
    const cur = s?.currency ?? m?.currency ?? "EUR";
    const money = (v: string | undefined) => (v === undefined ? "–" : `${Number(v).toFixed(2)} ${cur}`);
    const tab = (p: Period, label: string) =>
      html`<button class=${this.period === p ? "" : "plain"} aria-pressed=${this.period === p ? "true" : "false"}
        @click=${() => {
          this.period = p;
          void this.run(() => this.loadPeriod());
        }}>${label}</button>`;
    return html`<main>
      <section aria-labelledby="energy-h" data-testid="energy">
        <h2 id="energy-h">My energy (${this.household?.householdId})</h2>
        <div style="display:flex;gap:6px;margin-bottom:8px">${tab("day", "Today")}${tab("week", "This week")}${tab("month", "This month")}</div>
        <table>
          <thead><tr><th>Bought from</th><th>Energy</th></tr></thead>
          <tbody>${Object.entries(split.bought).map(([k, wh]) => html`<tr><td>${SOURCE_NAMES[k] ?? k}</td><td>${kwh(wh)}</td></tr>`)}</tbody>
        </table>
        <table style="margin-top:8px">
          <thead><tr><th>Sold to</th><th>Energy</th></tr></thead>
          <tbody>${Object.entries(split.sold).map(([k, wh]) => html`<tr><td>${k === "grid" ? "grid" : "neighbours"}</td><td>${kwh(wh)}</td></tr>`)}</tbody>
        </table>
        <p data-testid="statement">Bill ${money(s?.total)} · saved ${money(s?.savings)} against the utility alone</p>
        <button class="plain" @click=${this.download}>Download statement (CSV)</button>
      </section>
      <section aria-labelledby="prices-h" data-testid="prices">
        <h2 id="prices-h">Market prices</h2>
        ${this.resultsChart(this.results, m)}
        <table data-testid="results">
          <thead><tr><th>Slot</th><th>Price</th></tr></thead>
          <tbody>${this.results
            .slice(-6)
            .reverse()
            .map(
              (r) =>
                html`<tr><td>${r.slot.slice(0, 16).replace("T", " ")}</td><td>${ct(r.markets[0]?.averagePrice)}</td></tr>`,
            )}</tbody>
        </table>
      </section>
      <section aria-labelledby="trades-h" data-testid="trades">
        <h2 id="trades-h">My trades and bids</h2>
        <table>
          <thead><tr><th>Slot</th><th>Side</th><th>Energy</th><th>Price</th><th>With</th></tr></thead>
          <tbody>${this.fills
            .slice(-10)
            .reverse()
            .map(
              (f) =>
                html`<tr><td>${f.slot.slice(11, 16)}</td><td>${f.side}</td><td>${kwh(f.energyWh)}</td><td>${ct(f.price)}</td><td>${f.counterparty}</td></tr>`,
            )}</tbody>
        </table>
        <table style="margin-top:8px">
          <thead><tr><th>Bid</th><th>Slot</th><th>Limit</th><th>Status</th></tr></thead>
          <tbody>${this.orders
            .slice(-10)
            .reverse()
            .map(
              (o) =>
                html`<tr><td>${o.order.side} ${o.order.energyWh ?? ""} Wh</td><td>${o.order.slot.slice(11, 16)}</td><td>${ct(o.order.limitPrice)}</td><td>${o.status}</td></tr>`,
            )}</tbody>
        </table>
      </section>
      ${m ? preferencesSection(m, this.preference, (e) => this.savePreference(e)) : nothing}
      ${this.tokensSection()}
      <section aria-labelledby="week-h" data-testid="weekly">
        <h2 id="week-h">This week</h2>
        ${
          this.week
            ? html`<p>From ${this.week.period.start}: paid ${money(this.week.total)}; with the utility alone ${money(this.week.utilityOnlyTotal)};
                saved ${money(this.week.savings)}.</p>
                <p class="muted">${this.week.lines.map((l) => `${l.kind} ${kwh(l.energyWh)}`).join(" · ") || "no trades yet"}</p>`
            : nothing
        }
      </section>
    </main>`;
  }
}
customElements.define("openlem-participant", OpenLemParticipant);
