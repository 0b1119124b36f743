import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BROWSER_ARGS } from "../../../test-support/browser.js";
import { hubOn, OPERATOR, operatorToken, post } from "../../../test-support/hub-fixture.js";
import { describeWithRealService } from "../../../test-support/real-services.js";

const pkg = join(import.meta.dirname, "..");
const shots = join(pkg, "test-results");
const ANNA = { email: "anna@example.org", password: "anna's long password" };
let now = Date.parse("2026-06-21T09:02:00Z");

/** Every form field on the page (inside the app's shadow root) has a label. */
async function unlabelled(page: Page, host: string): Promise<string[]> {
  return page.evaluate((h) => {
    const root = document.querySelector(h)?.shadowRoot;
    const fields = [...(root?.querySelectorAll("input, select") ?? [])] as HTMLInputElement[];
    return fields.filter((f) => (f.labels?.length ?? 0) === 0).map((f) => f.name || f.outerHTML);
  }, host);
}

/** The fields Tab reaches, in order, from the top of the page. */
async function tabOrder(page: Page, host: string, presses: number): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const seen: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    seen.push(
      await page.evaluate((h) => {
        const el = document.querySelector(h)?.shadowRoot?.activeElement as HTMLInputElement | null;
        return el ? el.name || el.textContent?.trim() || el.tagName : "";
      }, host),
    );
  }
  return seen;
}

describeWithRealService("browser", "the hub's own pages in Chromium", (chrome) => {
  let hub: RunningHub;
  let browser: Browser;

  beforeAll(async () => {
    await build({ configFile: join(pkg, "vite.config.ts"), logLevel: "warn" });
    hub = await hubOn({ now: () => new Date(now) });
    const op = await operatorToken(hub.url);
    const market = {
      timeZone: "Europe/Berlin",
      retailPrice: 0.22,
      feedInTariff: 0.09,
      priceFloor: 0.05,
      priceCap: 0.3,
    };
    await post(`${hub.url}/api/communities`, op, { id: "landau", name: "Landau", market });
    browser = await chromium.launch({ executablePath: chrome, args: BROWSER_ARGS });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("operator registers a meter, participant links it and sets limits, operator clears, participant sees result and statement", async () => {
    const admin = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await admin.goto(`${hub.url}/admin/`);
    expect(await unlabelled(admin, "openlem-admin")).toEqual([]);
    // the login form is reachable by keyboard alone
    expect(await tabOrder(admin, "openlem-admin", 3)).toEqual(["email", "password", "Log in"]);
    await admin.getByLabel("E-mail").fill(OPERATOR.email);
    await admin.getByLabel("Password").fill(OPERATOR.password);
    await admin.getByRole("button", { name: "Log in" }).click();
    await admin.getByLabel("Meter id").fill("m-anna");
    await admin.getByLabel("Household").fill("anna");
    await admin.getByRole("button", { name: "Register meter" }).click();
    const first = (await admin.locator("openlem-admin [data-testid=pin] .pin").textContent())?.trim() ?? "";
    expect(first).toMatch(/^\d{6}$/);
    // a PIN lost (or locked by guesses) is replaced from the meter's row; the new one is shown once
    await admin.getByRole("button", { name: "New PIN for m-anna" }).click();
    // (a new PIN equal to the old one, one chance in a million, would only wait here in vain)
    await expect
      .poll(async () => (await admin.locator("openlem-admin [data-testid=pin] .pin").textContent())?.trim())
      .not.toBe(first);
    const pin = (await admin.locator("openlem-admin [data-testid=pin] .pin").textContent())?.trim() ?? "";
    expect(pin).toMatch(/^\d{6}$/);
    expect(await unlabelled(admin, "openlem-admin")).toEqual([]);
    await admin.screenshot({ path: join(shots, "admin.png"), fullPage: true });

    const app = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await app.goto(`${hub.url}/app/`);
    expect(await unlabelled(app, "openlem-participant")).toEqual([]);
    await app.screenshot({ path: join(shots, "app-join.png"), fullPage: true });
    const register = app.locator("section", { hasText: "Register" });
    await register.getByLabel("E-mail").fill(ANNA.email);
    await register.getByLabel("Password").fill(ANNA.password);
    await register.getByRole("button", { name: "Register" }).click();
    await app.getByLabel("Meter id").fill("m-anna");
    await app.getByLabel("PIN").fill(pin);
    await app.getByRole("button", { name: "Link meter" }).click();
    await expect.poll(() => app.locator("openlem-participant [role=status]").textContent()).toContain("linked");

    // limits: the sliders cannot leave the community's floor and cap
    const pay = app.locator("openlem-participant input[name=maxBuyPrice]");
    expect([await pay.getAttribute("min"), await pay.getAttribute("max")]).toEqual(["0.05", "0.3"]);
    await pay.focus();
    for (let i = 0; i < 40; i++) await app.keyboard.press("ArrowRight");
    expect(await pay.inputValue()).toBe("0.3");
    await app.getByRole("button", { name: "Save limits" }).click();
    await expect.poll(() => app.locator("openlem-participant [role=status]").textContent()).toContain("saved");
    // the page shows the limits the hub keeps (which her Home Assistant bridge uses), not the utility's
    await app.reload();
    await expect.poll(() => app.locator("openlem-participant input[name=maxBuyPrice]").inputValue()).toBe("0.3");

    // a read-only token for the energy card, made on her page and shown once; it reads, it cannot bid
    const tokens = app.locator("openlem-participant [data-testid=tokens]");
    await tokens.getByLabel("Name").fill("energy card");
    await tokens.getByLabel("Kind").selectOption("read");
    await tokens.getByRole("button", { name: "Make token" }).click();
    const made = (await app.locator("openlem-participant [data-testid=new-token] code").textContent()) ?? "";
    expect(made).toMatch(/^olm_read_/);
    const read = (method: string, path: string) =>
      fetch(`${hub.url}/api/communities/landau/households/anna/${path}`, {
        method,
        headers: { authorization: `Bearer ${made}`, "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: JSON.stringify({ orders: [] }) }),
      });
    expect((await read("GET", "statement?period=week")).status).toBe(200);
    expect((await read("POST", "orders")).status).toBe(403);
    await expect.poll(() => tokens.locator("tbody").textContent()).toContain("read-only");

    // Anna's home bids through the API, as her bridge would; then the gate closes
    const anna = new HubRest({ url: hub.url, communityId: "landau", householdId: "anna", auth: ANNA });
    await anna.submitOrders([
      { clientOrderId: "home-1", side: "buy", slot: "2026-06-21T09:15:00Z", energyWh: 500, limitPrice: 0.25 },
    ]);
    // the operator sees the slot's book, aggregated, before the gate closes
    await admin.reload();
    await expect
      .poll(() => admin.locator("openlem-admin [data-testid=book]").textContent())
      .toContain("1 buy and 0 sell");
    expect(await admin.locator("openlem-admin [data-testid=demand]").getAttribute("points")).not.toBe("");
    // and the household's device tokens, which it can revoke
    await post(`${hub.url}/api/communities/landau/households/anna/device-tokens`, await anna.token(), {
      name: "anna's bridge",
    });
    await admin.getByRole("button", { name: "Device tokens of anna" }).click();
    await expect
      .poll(() => admin.locator("openlem-admin [data-testid=tokens]").textContent())
      .toContain("anna's bridge");
    expect(await admin.locator("openlem-admin [data-testid=tokens]").textContent()).toContain("read-only");
    await admin.getByRole("button", { name: "Revoke" }).last().click();
    await expect.poll(() => admin.locator("openlem-admin [data-testid=tokens]").textContent()).toContain("revoked");
    await admin.screenshot({ path: join(shots, "admin-book.png"), fullPage: true });

    now = Date.parse("2026-06-21T09:11:00Z");
    await admin.reload();
    await expect.poll(() => admin.getByLabel("Slot (UTC start)").inputValue()).toBe("2026-06-21T09:15:00.000Z");
    await admin.getByRole("button", { name: "Clear now" }).click();
    await expect.poll(() => admin.locator("openlem-admin [role=status]").textContent()).toContain("cleared");
    await admin.screenshot({ path: join(shots, "admin-cleared.png"), fullPage: true });
    // the operator's browser keeps a device cookie for the login route only, out of scripts' reach
    expect((await admin.context().cookies()).find((c) => c.name === "olm_device")).toMatchObject({
      path: "/api/auth",
      httpOnly: true,
      sameSite: "Strict",
    });
    // half an hour later (the access token lasted a quarter): the page goes on with the refresh token
    now += 30 * 60_000;
    await admin.reload();
    await expect.poll(() => admin.locator("openlem-admin table").first().textContent()).toContain("m-anna");
    expect(await admin.getByRole("button", { name: "Log in" }).count()).toBe(0);
    expect(await admin.locator("openlem-admin [role=alert]").count()).toBe(0);

    await app.reload();
    await expect.poll(() => app.locator("openlem-participant [data-testid=results]").textContent()).toContain("09:15");
    // 500 Wh from the grid at 22 ct
    await expect.poll(() => app.locator("openlem-participant [data-testid=statement]").textContent()).toContain("0.11");
    expect(await app.locator("openlem-participant [data-testid=energy]").textContent()).toContain("grid");
    const download = app.waitForEvent("download");
    await app.getByRole("button", { name: "Download statement (CSV)" }).click();
    const csv = readFileSync((await (await download).path()) ?? "", "utf8");
    expect(csv.split("\n")[0]).toBe("kind,energy_wh,average_price,amount");
    expect(csv).toContain("utility-buy,500");
    expect(await unlabelled(app, "openlem-participant")).toEqual([]);
    await app.screenshot({ path: join(shots, "app-household.png"), fullPage: true });
  });

  it("says how to log in again when the credentials are wrong", async () => {
    const page = await browser.newPage();
    await page.goto(`${hub.url}/admin/`);
    await page.getByLabel("E-mail").fill(OPERATOR.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.locator("openlem-admin [role=alert]").textContent()).toMatch(/password/i);
  });

  it("sends security headers the pages and Swagger UI keep to (no CSP violation), and no page can be framed", async () => {
    for (const path of ["/admin/", "/app/", "/api/docs/"]) {
      const res = await fetch(`${hub.url}${path}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
    const page = await (await browser.newContext()).newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        console.error(`Refused to load: ${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await page.goto(`${hub.url}/admin/`);
    await page.getByLabel("E-mail").fill(OPERATOR.email);
    await page.getByLabel("Password").fill(OPERATOR.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Register meter" }).count()).toBe(1);
    await page.goto(`${hub.url}/app/`);
    await expect.poll(() => page.getByLabel("E-mail").count()).toBeGreaterThan(0);
    await page.goto(`${hub.url}/api/docs/`);
    await expect.poll(() => page.locator(".swagger-ui .opblock").count()).toBeGreaterThan(10);
    expect(violations).toEqual([]);

    // another site framing the operator page (clickjacking "Clear now"): the browser refuses
    const framer = await (await browser.newContext()).newPage();
    const blocked: string[] = [];
    framer.on("console", (m) => blocked.push(m.text()));
    await framer.setContent(`<iframe src="${hub.url}/admin/" width="800" height="600"></iframe>`);
    await expect
      .poll(() => blocked.some((t) => /frame-ancestors|X-Frame-Options|refused to connect/i.test(t)))
      .toBe(true);
    const frame = framer.frames().find((f) => f !== framer.mainFrame());
    expect(
      await frame
        ?.locator("openlem-admin")
        .count()
        .catch(() => 0),
    ).toBe(0);
  });
});
