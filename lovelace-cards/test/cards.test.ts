import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { BROWSER_ARGS } from "../../test-support/browser.js";
import { clear, hubOn, seed } from "../../test-support/hub-fixture.js";
import { describeWithRealService } from "../../test-support/real-services.js";
import { cheapestWindow, priceView } from "../src/data/price.js";

const pkg = join(import.meta.dirname, "..");
const shots = join(pkg, "test-results");

// Home Assistant's theme variables, light and dark, as its default theme sets them
const THEMES = {
  light: {
    "--primary-text-color": "#212121",
    "--secondary-text-color": "#727272",
    "--primary-color": "#03a9f4",
    "--card-background-color": "#ffffff",
    "--ha-card-background": "#ffffff",
    "--divider-color": "rgba(0,0,0,.12)",
    "--primary-background-color": "#fafafa",
  },
  dark: {
    "--primary-text-color": "#e1e1e1",
    "--secondary-text-color": "#9b9b9b",
    "--primary-color": "#03a9f4",
    "--card-background-color": "#1c1c1c",
    "--ha-card-background": "#1c1c1c",
    "--divider-color": "rgba(225,225,225,.12)",
    "--primary-background-color": "#111111",
  },
};

// A page standing in for a Lovelace view: ha-card as Home Assistant defines it, and a `hass`
// shaped like Home Assistant's whose callService records the calls.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 16px; font-family: Roboto, sans-serif; background: var(--primary-background-color); width: 420px; }
</style><script>
  // ha-card as Home Assistant's frontend defines it: a themed block with its own shadow styles
  customElements.define("ha-card", class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" }).innerHTML = "<style>:host{display:block;background:var(--ha-card-background,var(--card-background-color,#fff));" +
        "border-radius:var(--ha-card-border-radius,12px);box-shadow:var(--ha-card-box-shadow,none);border:1px solid var(--divider-color,#e0e0e0);" +
        "color:var(--primary-text-color);}</style><slot></slot>";
    }
  });
  window.calls = [];
  window.makeHass = (states, dark, language) => ({
    states, language, locale: { language }, themes: { darkMode: dark },
    callService: async (domain, service, data) => { window.calls.push({ domain, service, data }); },
  });
  window.mount = async (type, config, states, dark, language) => {
    const vars = ${JSON.stringify(THEMES)}[dark ? "dark" : "light"];
    for (const [k, v] of Object.entries(vars)) document.body.style.setProperty(k, v);
    document.body.innerHTML = "";
    const el = document.createElement(type);
    if (window.now) el.now = () => window.now;
    el.setConfig(config);
    el.hass = window.makeHass(states, dark, language);
    document.body.appendChild(el);
    await el.updateComplete;
    return true;
  };
</script><script type="module" src="/openlem-cards.js"></script></head><body></body></html>`;

type States = Record<string, { entity_id: string; state: string; attributes: Record<string, unknown> }>;
const entity = (entity_id: string, state: string, attributes: Record<string, unknown> = {}) => ({
  entity_id,
  state,
  attributes,
});

// a June day in the browser's zone (UTC here), with prices low at midday
const DAY = Date.parse("2026-06-21T00:00:00Z");
const NOW = Date.parse("2026-06-21T09:20:00Z");
// today from midnight with 06:00–08:00 missing (a hub that was down), tomorrow until 05:45
const forecast = Array.from({ length: 96 + 23 }, (_, i) => ({
  start: new Date(DAY + i * 900_000).toISOString(),
  value:
    Math.round((0.2 - 0.1 * Math.max(0, Math.sin((((i % 96) - 24) / 48) * Math.PI))) * 1000) / 1000 +
    (i === 50 ? -0.02 : 0),
  kind: i < 38 ? "cleared" : "forecast",
})).filter((_, i) => i < 24 || i >= 32);
const priceAttributes = {
  forecast,
  slot: "2026-06-21T09:15:00Z",
  retail_price: 0.22,
  feed_in_tariff: 0.09,
  price_floor: 0.05,
  price_cap: 0.3,
  currency: "EUR",
  slot_minutes: 15,
};
const STATES: States = {
  "sensor.openlem_demo_price": entity("sensor.openlem_demo_price", "0.187", priceAttributes),
  "sensor.openlem_demo_self_sufficiency": entity("sensor.openlem_demo_self_sufficiency", "41.2"),
  "sensor.openlem_demo_local_trade_share": entity("sensor.openlem_demo_local_trade_share", "27.5"),
  "sensor.openlem_demo_battery_soc": entity("sensor.openlem_demo_battery_soc", "64"),
  "sensor.openlem_h_bought_local_today": entity("sensor.openlem_h_bought_local_today", "2300"),
  "sensor.openlem_h_bought_grid_today": entity("sensor.openlem_h_bought_grid_today", "4100"),
  "sensor.openlem_h_sold_local_today": entity("sensor.openlem_h_sold_local_today", "1250"),
  "sensor.openlem_h_sold_grid_today": entity("sensor.openlem_h_sold_grid_today", "600"),
  "sensor.openlem_h_cost_today": entity("sensor.openlem_h_cost_today", "1.23"),
  "sensor.openlem_h_savings_today": entity("sensor.openlem_h_savings_today", "0.31"),
  "sensor.pv_energy_today": entity("sensor.pv_energy_today", "8.4", { unit_of_measurement: "kWh" }),
  "number.openlem_h_max_buy_price": entity("number.openlem_h_max_buy_price", "0.2", { min: 0, max: 1, step: 0.01 }),
  "number.openlem_h_min_sell_price": entity("number.openlem_h_min_sell_price", "0.1", { min: 0, max: 1, step: 0.01 }),
};

describeWithRealService("browser", "the Lovelace cards in Chromium", (chrome) => {
  let server: Server;
  let origin = "";
  let browser: Browser;
  let page: Page;
  let hub: RunningHub;
  let hubNow = NOW;
  let token = "";
  let readToken = "";

  beforeAll(async () => {
    await build({ configFile: join(pkg, "vite.config.ts"), root: pkg, logLevel: "warn" });
    const bundle = readFileSync(join(pkg, "dist", "openlem-cards.js"));
    server = createServer((req, res) => {
      if (req.url === "/openlem-cards.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
      else res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // the energy card's hub source reads weeks and months from a real hub, across origins
    hub = await hubOn({ now: () => new Date(hubNow), corsOrigins: [origin] });
    ({ deviceToken: token, readToken } = await seed(hub.url));
    browser = await chromium.launch({ executablePath: chrome, args: BROWSER_ARGS });
    page = await browser.newPage({ viewport: { width: 460, height: 600 }, timezoneId: "UTC" });
    await page.goto(origin);
    await page.waitForFunction(() => customElements.get("openlem-bid-card") !== undefined);
    await page.evaluate((now) => {
      (window as unknown as { now: number }).now = now;
    }, NOW);
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await hub?.close();
  });

  const mount = (type: string, config: Record<string, unknown>, dark = false, language = "en", states = STATES) =>
    page.evaluate(
      ([t, c, s, d, l]) =>
        (
          window as unknown as {
            mount(t: string, c: unknown, s: unknown, d: boolean, l: string): Promise<boolean>;
          }
        ).mount(t, c, s, d, l),
      [type, config, states, dark, language] as const,
    );
  const shadow = (type: string, selector: string) => page.locator(`${type} >> css=${selector}`);
  const screenshot = async (type: string, config: Record<string, unknown>) => {
    for (const dark of [false, true]) {
      await mount(type, config, dark);
      await page.locator(type).screenshot({ path: join(shots, `${type}-${dark ? "dark" : "light"}.png`) });
    }
  };

  it("registers every card for the card picker, with stub configs that find OpenLEM entities", async () => {
    const cards = await page.evaluate(() => (window as unknown as { customCards: { type: string }[] }).customCards);
    expect(cards.map((c) => c.type).sort()).toEqual([
      "openlem-bid-card",
      "openlem-community-card",
      "openlem-energy-card",
      "openlem-price-card",
    ]);
    const stubs = await page.evaluate((states) => {
      const hass = { states };
      return ["openlem-price-card", "openlem-energy-card", "openlem-community-card", "openlem-bid-card"].map((t) =>
        (customElements.get(t) as unknown as { getStubConfig(h: unknown): unknown }).getStubConfig(hass),
      );
    }, STATES);
    const sizes = await page.evaluate(() =>
      ["openlem-price-card", "openlem-energy-card", "openlem-community-card", "openlem-bid-card"].map((t) => {
        const el = document.createElement(t) as unknown as {
          getCardSize(): number;
          getGridOptions(): { rows: number };
        };
        return [el.getCardSize(), el.getGridOptions().rows];
      }),
    );
    expect(sizes).toEqual([
      [4, 4],
      [5, 5],
      [4, 4],
      [3, 3],
    ]);
    expect(stubs).toEqual([
      { entity: "sensor.openlem_demo_price", window_hours: 2 },
      { household: "h" },
      { community: "demo" },
      { household: "h", community: "demo" },
    ]);
  });

  it("price card: draws in the community's time zone, whatever the browser's (UTC here, the community in Amsterdam)", async () => {
    // two whole Amsterdam days, from its midnight (22:00 UTC the day before), every slot priced
    const amsMidnight = Date.parse("2026-06-20T22:00:00Z");
    const whole = Array.from({ length: 2 * 96 }, (_, i) => ({
      start: new Date(amsMidnight + i * 900_000).toISOString(),
      value: 0.1 + (i % 96) / 1000,
      kind: "forecast",
    }));
    const states = {
      ...STATES,
      "sensor.openlem_demo_price": entity("sensor.openlem_demo_price", "0.15", {
        ...priceAttributes,
        forecast: whole,
        time_zone: "Europe/Amsterdam",
      }),
    };
    await mount(
      "openlem-price-card",
      { type: "custom:openlem-price-card", entity: "sensor.openlem_demo_price" },
      false,
      "en",
      states,
    );
    // no hour without a price at either end: the axis runs from Amsterdam's midnight to its end of tomorrow
    expect(await shadow("openlem-price-card", "rect.gap").count()).toBe(0);
    expect(await shadow("openlem-price-card", "rect.bar").count()).toBe(2 * 96);
    expect(Number(await shadow("openlem-price-card", '[data-testid="next-day"]').getAttribute("x1"))).toBeCloseTo(
      28 + (320 - 28 - 6) / 2,
      6,
    );
    // ticks on Amsterdam's whole hours, named by them: its midnight is 22:00 UTC
    const ticks = await shadow("openlem-price-card", "text.tick").evaluateAll((ts) =>
      ts.map((t) => ({ ms: Number(t.getAttribute("data-ms")), text: t.textContent?.replace(/\s+/g, " ") })),
    );
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const tk of ticks) {
      const h = (new Date(tk.ms).getUTCHours() + 2) % 24;
      expect(new Date(tk.ms).getUTCMinutes()).toBe(0);
      const day = ["Sun", "Mon", "Tue"][Math.round((tk.ms - amsMidnight) / 86_400_000)];
      expect(tk.text).toBe(h === 0 ? day : `${((h + 11) % 12) + 1} ${h < 12 ? "AM" : "PM"}`);
    }
    expect(ticks.some((tk) => tk.ms === Date.parse("2026-06-21T22:00:00Z") && tk.text === "Mon")).toBe(true);
    // the cheapest window is named in Amsterdam's hours too: the lowest prices start each day (in UTC: 10 PM)
    const label = (await shadow("openlem-price-card", '[data-testid="window"]').textContent()) ?? "";
    expect(label.trim()).toBe("cheapest window: 12:00 AM–02:00 AM");
  });

  it("price card: the day's prices against retail and feed-in, the current slot and the cheapest window", async () => {
    await mount("openlem-price-card", { type: "custom:openlem-price-card", entity: "sensor.openlem_demo_price" });
    expect(await shadow("openlem-price-card", "rect.bar").count()).toBe(forecast.length);
    // a time axis from today's midnight to tomorrow's end: a bar sits where its time says
    const width = 320 - 28 - 6;
    const xOf = (ms: number) => 28 + ((ms - DAY) / (2 * 86_400_000)) * width;
    const barX = async (iso: string) =>
      Number(await shadow("openlem-price-card", `rect.bar[data-start="${iso}"]`).getAttribute("x"));
    expect(await barX("2026-06-21T08:00:00.000Z")).toBeCloseTo(xOf(Date.parse("2026-06-21T08:00:00Z")) + 0.25, 6);
    expect(await barX("2026-06-22T05:30:00.000Z")).toBeCloseTo(xOf(Date.parse("2026-06-22T05:30:00Z")) + 0.25, 6);
    // the slots nobody priced show as gaps where they belong: 06:00–08:00 and after tomorrow 05:45
    const gapRects = await shadow("openlem-price-card", "rect.gap").evaluateAll((rs) =>
      rs.map((r) => [Number(r.getAttribute("x")), Number(r.getAttribute("width"))]),
    );
    expect(gapRects).toHaveLength(2);
    expect(gapRects[0]?.[0]).toBeCloseTo(xOf(DAY + 6 * 3_600_000), 6);
    expect(gapRects[0]?.[1]).toBeCloseTo(xOf(DAY + 8 * 3_600_000) - xOf(DAY + 6 * 3_600_000), 6);
    expect(gapRects[1]?.[0]).toBeCloseTo(xOf(DAY + 86_400_000 + 5.75 * 3_600_000), 6);
    // the axis reads forwards in time, each tick named by the time it stands at
    const ticks = await shadow("openlem-price-card", "text.tick").evaluateAll((ts) =>
      ts.map((t) => ({ ms: Number(t.getAttribute("data-ms")), x: Number(t.getAttribute("x")), text: t.textContent })),
    );
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const [i, tk] of ticks.entries()) {
      expect(tk.x).toBeCloseTo(xOf(tk.ms), 6);
      // whole hours, named as English names them ("6 PM"), a day's start by its weekday
      const h = new Date(tk.ms).getUTCHours();
      expect(new Date(tk.ms).getUTCMinutes()).toBe(0);
      const named =
        h === 0 ? ["Sun", "Mon", "Tue"][(tk.ms - DAY) / 86_400_000] : `${((h + 11) % 12) + 1} ${h < 12 ? "AM" : "PM"}`;
      expect(tk.text?.replace(/\s+/g, " ")).toBe(named);
      if (i > 0) expect(tk.ms).toBeGreaterThan(ticks[i - 1]?.ms ?? 0);
    }
    expect(Number(await shadow("openlem-price-card", '[data-testid="next-day"]').getAttribute("x1"))).toBeCloseTo(
      xOf(DAY + 86_400_000),
      6,
    );
    expect(await shadow("openlem-price-card", "rect.current").count()).toBe(1);
    expect(await shadow("openlem-price-card", "rect.current").getAttribute("data-start")).toBe(
      "2026-06-21T09:15:00.000Z",
    );
    expect(await shadow("openlem-price-card", '[data-testid="retail"]').count()).toBe(1);
    expect(await shadow("openlem-price-card", '[data-testid="feed-in"]').count()).toBe(1);
    expect(await shadow("openlem-price-card", '[data-testid="current"]').textContent()).toContain("18.7 ct/kWh");
    // the window the card marks is the one the data says is cheapest (2 h = 8 slots, from 09:15 on)
    const v = priceView(STATES["sensor.openlem_demo_price"]);
    const w = cheapestWindow(v.slots, 8, NOW, 15) as [number, number];
    const label = await shadow("openlem-price-card", '[data-testid="window"]').textContent();
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    expect(label).toContain(hhmm(v.slots[w[0]]?.startMs ?? 0));
    await screenshot("openlem-price-card", { type: "custom:openlem-price-card", entity: "sensor.openlem_demo_price" });
  });

  it("speaks German where Home Assistant does", async () => {
    await mount("openlem-price-card", { type: "x", community: "demo" }, false, "de");
    expect(await shadow("openlem-price-card", ".title").textContent()).toContain("Lokaler Preis");
    await mount("openlem-energy-card", { type: "x", household: "h" }, false, "de");
    expect(await shadow("openlem-energy-card", '[data-testid="boughtLocal"]').textContent()).toContain("2,3 kWh");
  });

  it("the README's figure for the bundle's size is the build's (gzipped, within 2 kB), and inside the budget", () => {
    const gz = gzipSync(readFileSync(join(pkg, "dist", "openlem-cards.js")), { level: 9 }).length / 1024;
    const said = Number(/now about (\d+(?:\.\d+)?) kB/.exec(readFileSync(join(pkg, "README.md"), "utf8"))?.[1]);
    expect(Math.abs(said - gz)).toBeLessThanOrEqual(2);
    expect(gz).toBeLessThanOrEqual(60);
  });

  it("a config it refuses shows inside the card, with the field and the rule, and never the values (a token among them)", async () => {
    const bad: [string, Record<string, unknown>][] = [
      ["openlem-price-card", { type: "x", window_hours: -1, entity: "sensor.a" }],
      ["openlem-price-card", { type: "x" }],
      ["openlem-bid-card", { type: "x", community: "demo", max_buy_entity: "sensor.no", household: "h" }],
      ["openlem-energy-card", { type: "x", hub: { url: "http://x" }, household: "h" }],
      [
        "openlem-energy-card",
        {
          type: "x",
          hub: { url: "http://x", token: "olm_dev_secret123", community: "c", household: "h" },
          household: "h",
        },
      ],
    ];
    const shown: string[] = [];
    for (const [type, config] of bad) {
      // Home Assistant's error card would print the config; the card takes it and says what is wrong
      expect(await mount(type, config)).toBe(true);
      shown.push((await shadow(type, '[data-testid="config-problem"]').textContent()) ?? "");
      expect(await page.locator(type).evaluate((el) => el.shadowRoot?.textContent ?? "")).not.toContain("secret123");
    }
    expect(shown[0]).toMatch(/window_hours must be a number of hours/);
    expect(shown[1]).toMatch(/entity is required/);
    expect(shown[2]).toMatch(/max_buy_entity must be a number entity/);
    expect(shown[3]).toMatch(/hub.token is required/);
    // the device token, which can place orders, stays out of the dashboard's config
    expect(shown[4]).toMatch(/hub.token must be a read-only token \(olm_read_…\)/);
    // a config put right: the card again
    await mount("openlem-price-card", { type: "x", entity: "sensor.openlem_demo_price" });
    expect(await shadow("openlem-price-card", '[data-testid="config-problem"]').count()).toBe(0);
  });

  it("energy card: today from the entities; a week from the hub", async () => {
    // a trade in the hub this week: the household buys 500 Wh, the utility serves it
    await new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken: token } }).submitOrders([
      { clientOrderId: "week", side: "buy", slot: "2026-06-21T09:30:00Z", energyWh: 500, limitPrice: 0.3 },
    ]);
    hubNow = Date.parse("2026-06-21T09:26:00Z");
    await clear(hub.url, "2026-06-21T09:30:00.000Z");
    const config = {
      type: "custom:openlem-energy-card",
      household: "h",
      entities: { pv: "sensor.pv_energy_today" },
      hub: { url: hub.url, token: readToken, community: "c", household: "h" },
    };
    await mount("openlem-energy-card", config);
    expect(await shadow("openlem-energy-card", '[data-testid="boughtGrid"]').textContent()).toContain("4.1 kWh");
    expect(await shadow("openlem-energy-card", '[data-testid="ownPv"]').textContent()).toContain("8.4 kWh");
    expect(await shadow("openlem-energy-card", '[data-testid="bill"]').textContent()).toContain("1.23");
    await screenshot("openlem-energy-card", config);
    await shadow("openlem-energy-card", "button >> nth=1").click();
    await expect
      .poll(() => shadow("openlem-energy-card", ".muted, [data-testid=boughtGrid]").first().textContent(), {
        timeout: 10_000,
      })
      .toMatch(/Wh/);
    const weekGrid = await shadow("openlem-energy-card", '[data-testid="boughtGrid"]').textContent();
    expect(weekGrid).toContain("500 Wh");
  });

  it("community card: self-sufficiency, local trade share, the battery and the flows", async () => {
    const config = { type: "custom:openlem-community-card", community: "demo" };
    await mount("openlem-community-card", config);
    expect(await shadow("openlem-community-card", '[data-testid="self-sufficiency"]').textContent()).toContain("41 %");
    expect(await shadow("openlem-community-card", '[data-testid="local-trade-share"]').textContent()).toContain("28 %");
    const fill = Number(await shadow("openlem-community-card", '[data-testid="soc-fill"]').getAttribute("height"));
    expect(fill).toBeCloseTo(46 * 0.64, 5);
    // more local trade: a thicker local flow
    const local = Number(
      await shadow("openlem-community-card", '[data-testid="flow-local"]').getAttribute("stroke-width"),
    );
    const grid = Number(
      await shadow("openlem-community-card", '[data-testid="flow-grid"]').getAttribute("stroke-width"),
    );
    expect(local).toBeCloseTo(1 + 0.275 * 7, 5);
    expect(grid).toBeCloseTo(1 + 0.588 * 7, 5);
    await screenshot("openlem-community-card", config);
  });

  it("community card without a battery: no battery drawn, and every node of the flows is labelled", async () => {
    const { "sensor.openlem_demo_battery_soc": _battery, ...noBattery } = STATES;
    await mount(
      "openlem-community-card",
      { type: "custom:openlem-community-card", community: "demo" },
      false,
      "en",
      noBattery,
    );
    expect(await shadow("openlem-community-card", '[data-testid="battery"]').count()).toBe(0);
    expect(await shadow("openlem-community-card", '[data-testid="soc-fill"]').count()).toBe(0);
    const circles = await shadow("openlem-community-card", "svg circle").evaluateAll((cs) =>
      cs.map((c) => c.getAttribute("cx")),
    );
    const labels = await shadow("openlem-community-card", "svg text.label").evaluateAll((ts) =>
      ts.map((t) => ({ x: t.getAttribute("x"), text: t.textContent?.trim() ?? "" })),
    );
    for (const cx of circles)
      expect(
        labels.some((l) => l.x === cx && /[A-Za-z]/.test(l.text)),
        `node at ${cx}`,
      ).toBe(true);
  });

  it("every card written as the README shows opens in the visual editor: its fields are the editor's", async () => {
    const readme = readFileSync(join(pkg, "README.md"), "utf8");
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const examples = parseAllDocuments(yamlBlock).map((d) => d.toJSON() as Record<string, unknown>);
    expect(examples.map((e) => e.type)).toEqual(
      expect.arrayContaining(["custom:openlem-price-card", "custom:openlem-energy-card"]),
    );
    for (const example of examples) {
      const tag = String(example.type).replace(/^custom:/, "");
      const schema = await page.evaluate(
        (t) =>
          (
            customElements.get(t) as unknown as { getConfigForm(): { schema: { name: string; required?: boolean }[] } }
          ).getConfigForm().schema,
        tag,
      );
      const names = schema.map((f) => f.name);
      for (const key of Object.keys(example).filter((k) => k !== "type"))
        expect(names, `${tag}: ${key}`).toContain(key);
      for (const f of schema.filter((x) => x.required))
        expect(Object.keys(example), `${tag}: ${f.name}`).toContain(f.name);
    }
  });

  it("community card: no battery where Home Assistant has no battery entity", async () => {
    const config = {
      type: "custom:openlem-community-card",
      entities: {
        self_sufficiency: "sensor.openlem_demo_self_sufficiency",
        local_trade_share: "sensor.openlem_demo_local_trade_share",
        battery_soc: "sensor.openlem_demo_no_such_battery",
      },
    };
    await mount("openlem-community-card", config);
    expect(await shadow("openlem-community-card", '[data-testid="self-sufficiency"]').textContent()).toContain("41 %");
    expect(await shadow("openlem-community-card", '[data-testid="soc-fill"]').count()).toBe(0);
    expect(await shadow("openlem-community-card", '[data-testid="battery"]').count()).toBe(0);
  });

  it("bid card: sliders cannot leave the floor and cap, and write the number entity", async () => {
    const config = { type: "custom:openlem-bid-card", community: "demo", household: "h" };
    await mount("openlem-bid-card", config);
    const buy = shadow("openlem-bid-card", '[data-testid="maxBuy"] input');
    expect([await buy.getAttribute("min"), await buy.getAttribute("max")]).toEqual(["0.05", "0.3"]);
    // a value beyond the cap is held at the cap, and written as such
    await buy.evaluate((el: HTMLInputElement) => {
      el.value = "0.9";
      el.dispatchEvent(new Event("change"));
    });
    await buy.evaluate((el: HTMLInputElement) => {
      el.value = "0.173";
      el.dispatchEvent(new Event("change"));
    });
    const sell = shadow("openlem-bid-card", '[data-testid="minSell"] input');
    await sell.evaluate((el: HTMLInputElement) => {
      el.value = "0.01";
      el.dispatchEvent(new Event("change"));
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as { calls: unknown[] }).calls.length)).toBe(3);
    const calls = await page.evaluate(() => (window as unknown as { calls: unknown[] }).calls);
    expect(calls).toEqual([
      { domain: "number", service: "set_value", data: { entity_id: "number.openlem_h_max_buy_price", value: 0.3 } },
      { domain: "number", service: "set_value", data: { entity_id: "number.openlem_h_max_buy_price", value: 0.17 } },
      { domain: "number", service: "set_value", data: { entity_id: "number.openlem_h_min_sell_price", value: 0.05 } },
    ]);
    expect(await shadow("openlem-bid-card", '[data-testid="limits"]').textContent()).toContain("5 ct/kWh – 30 ct/kWh");
    await screenshot("openlem-bid-card", config);
  });
});
