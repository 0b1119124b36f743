/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import { HaBridge, parseConfig } from "@openlem/home-assistant";
import type { RunningHub } from "@openlem/hub";
import { communityEntities, householdEntities } from "@openlem/protocol";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BROWSER_ARGS } from "./browser.js";
import { homeAssistantVersions, type RunningHomeAssistant, startHomeAssistant } from "./home-assistant.js";
import { houseBridgeYaml, houseYaml, setUpEnergyDashboard } from "./home-assistant-house.js";
import { clear, freePort, hubOn, seed } from "./hub-fixture.js";
import { describeWithRealService } from "./real-services.js";

/**
 * What a household sees: a real Home Assistant's own frontend in Chromium, with the cards
 * loaded as a dashboard resource from /local, showing the hub's and the bridge's entities
 * (MQTT discovery on the hub's broker) and the hub's statement through a read-only token.
 * Screenshots go to lovelace-cards/test-results/home-assistant-<version>-*.png.
 */
const ROOT = join(import.meta.dirname, "..");
const CARDS = join(ROOT, "lovelace-cards");
const SHOTS = join(CARDS, "test-results");

const HOUSE = houseYaml({
  boilerTempC: 55,
  pvKwhToday: 8.4,
  extra: "frontend:\nlovelace:\n  mode: storage\nrecorder:\n  commit_interval: 1\nenergy:",
});

/** Waits for a condition outside a test (expect.poll is for tests only), or fails naming it. */
async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not appear in Home Assistant within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeWithRealService("homeAssistant", "the cards in a real Home Assistant's frontend", (value) =>
  describeWithRealService("browser", "in Chromium", (chrome) => {
    let bundle: Buffer;
    let browser: Browser;

    beforeAll(async () => {
      await build({ configFile: join(CARDS, "vite.config.ts"), root: CARDS, logLevel: "warn" });
      bundle = readFileSync(join(CARDS, "dist", "openlem-cards.js"));
      browser = await chromium.launch({ executablePath: chrome, args: BROWSER_ARGS });
      mkdirSync(SHOTS, { recursive: true });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
    });

    for (const version of homeAssistantVersions(value)) {
      describe(`Home Assistant ${version}`, () => {
        let hub: RunningHub;
        let ha: RunningHomeAssistant;
        let bridge: HaBridge;
        let page: Page;
        let buyer: HubRest;
        let deviceTokenOf = "";
        let now = Date.parse("2026-06-25T07:40:00Z");

        beforeAll(async () => {
          // the energy card calls the hub from Home Assistant's pages: the hub allows that origin
          const haPort = await freePort();
          hub = await hubOn({ now: () => new Date(now), corsOrigins: [`http://127.0.0.1:${haPort}`] });
          const { deviceToken, readToken, haToken } = await seed(hub.url);
          deviceTokenOf = deviceToken;
          // a morning of local trade: the household buys what its neighbour sells
          buyer = new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken } });
          const seller = new HubRest({
            url: hub.url,
            communityId: "c",
            householdId: "s",
            auth: { email: "s@example.org", password: "seller password" },
          });
          const slots = ["08:00", "08:15", "08:30", "08:45"].map((t) => `2026-06-25T${t}:00Z`);
          for (const [i, slot] of slots.entries()) {
            await buyer.submitOrders([{ clientOrderId: `b${i}`, side: "buy", slot, energyWh: 400, limitPrice: 0.25 }]);
            await seller.submitOrders([{ clientOrderId: `s${i}`, side: "sell", slot, energyWh: 300, limitPrice: 0.1 }]);
          }
          now = Date.parse("2026-06-25T09:02:00Z");
          for (const slot of slots) await clear(hub.url, slot);

          const mqttPort = Number(new URL(hub.mqttUrl).port);
          ha = await startHomeAssistant({
            version,
            mqtt: { host: "127.0.0.1", port: mqttPort, username: "h", password: haToken },
            extraConfig: HOUSE,
            files: { "www/openlem-cards.js": bundle },
            port: haPort,
          });
          bridge = await HaBridge.start(
            parseConfig(
              houseBridgeYaml({
                ha,
                hubUrl: hub.url,
                deviceToken,
                stateDir: mkdtempSync(join(tmpdir(), "openlem-dash-")),
                mqtt: { url: hub.mqttUrl, username: "h", password: haToken },
              }),
              {},
            ),
            { tickMs: 200, now: () => now },
          );
          // a dashboard of the cards as the README writes them, the bundle added as a resource, as a
          // user does it under Settings > Dashboards
          await ha.command({ type: "lovelace/resources/create", res_type: "module", url: "/local/openlem-cards.js" });
          await ha.command({
            type: "lovelace/dashboards/create",
            url_path: "energy-market",
            title: "Energy market",
            icon: "mdi:transmission-tower",
            mode: "storage",
            show_in_sidebar: true,
            require_admin: false,
          });
          // the dashboard exactly as integrations/home-assistant/README.md has the user paste it,
          // with this test's community, household, hub and read-only token put in
          const readme = readFileSync(join(ROOT, "integrations", "home-assistant", "README.md"), "utf8");
          const yamlText = (/```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "")
            .replaceAll("community: demo", "community: c")
            .replaceAll("household: house-1", "household: h")
            .replaceAll("http://openlem-hub.local:8787", hub.url)
            .replace("olm_read_...", readToken);
          const dashboard = parse(yamlText) as { views: { cards: { type: string }[] }[] };
          expect(dashboard.views[0]?.cards.map((c) => c.type)).toEqual([
            "custom:openlem-price-card",
            "custom:openlem-energy-card",
            "custom:openlem-community-card",
            "custom:openlem-bid-card",
          ]);
          await ha.command({ type: "lovelace/config/save", url_path: "energy-market", config: dashboard });
          // the entities the cards read are in Home Assistant before the browser opens
          await until(async () => (await ha.state(communityEntities.price("c"))) !== undefined, "the price sensor");
          await until(async () => (await ha.state(householdEntities.maxBuyPrice("h"))) !== undefined, "the bid number");

          // logged in as the owner, as the frontend keeps its tokens; the page's clock is the hub's
          const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, timezoneId: "UTC" });
          await context.addInitScript(
            ({ url, token }) => {
              localStorage.setItem(
                "hassTokens",
                JSON.stringify({
                  hassUrl: url,
                  clientId: `${url}/`,
                  access_token: token,
                  token_type: "Bearer",
                  expires_in: 86_400 * 365,
                  expires: Date.now() + 86_400_000 * 365,
                  refresh_token: "",
                }),
              );
            },
            { url: ha.url, token: ha.token },
          );
          page = await context.newPage();
          await page.clock.setFixedTime(new Date(now));
        }, 600_000);
        afterAll(async () => {
          await page?.context().close();
          await bridge?.stop();
          await ha?.stop();
          await hub?.close();
        }, 90_000);

        it("renders every card on a dashboard with the hub's and the bridge's data", async () => {
          await page.goto(`${ha.url}/energy-market/0`);
          // the price card: the cleared morning and the forecast to the end of tomorrow
          const price = page.locator("openlem-price-card");
          await expect.poll(() => price.locator("rect.bar").count(), { timeout: 60_000 }).toBeGreaterThan(50);
          expect(await price.locator('[data-testid="current"]').textContent()).toMatch(/ct\/kWh/);
          // the energy card: today from the bridge's entities, own PV from Home Assistant's sensor
          const energy = page.locator("openlem-energy-card");
          await expect.poll(() => energy.locator('[data-testid="ownPv"]').textContent()).toContain("8.4 kWh");
          // a week from the hub through the read-only token: the morning's 1.2 kWh bought locally
          await energy.getByRole("button").nth(1).click();
          await expect.poll(() => energy.locator('[data-testid="boughtLocal"]').textContent()).toContain("1.2 kWh");
          await energy.getByRole("button").nth(0).click();
          // the community card: self-sufficiency and local share from the hub's sensors
          const community = page.locator("openlem-community-card");
          await expect.poll(() => community.locator("ha-card").textContent()).toMatch(/75\s*%/);
          await page.screenshot({ path: join(SHOTS, `home-assistant-${version}-dashboard.png`), fullPage: true });
        });

        it("the Energy dashboard's grid for the day is the hub's statement: imports with their cost, exports with their compensation", async () => {
          const e = householdEntities;
          // README step 6, as a user sets it up; Home Assistant's own checks find nothing
          expect(await setUpEnergyDashboard(ha, "h")).toEqual([]);
          // the figures, from the statement's own lines: every buy (local, utility, deviation)
          // with its charges in, every sell out; what is left is the bill
          const st = await buyer.statement("day");
          const minor = (match: (kind: string) => boolean) =>
            st.lines.reduce((a, l, i) => a + (match(l.kind) ? (st.linesMinor[i] ?? 0) : 0), 0);
          const wh = (match: (kind: string) => boolean) =>
            st.lines.reduce((a, l) => a + (match(l.kind) ? l.energyWh : 0), 0);
          const isBuy = (k: string) => k.endsWith("-buy");
          const isSell = (k: string) => k.endsWith("-sell");
          const want = {
            imported: wh(isBuy),
            exported: wh(isSell),
            importCost: minor((k) => isBuy(k) || k === "grid-fee") / 100,
            exportCompensation: -minor(isSell) / 100,
          };
          expect(want.imported).toBeGreaterThan(1_200);
          expect(want.importCost).toBeGreaterThan(0);
          const state = async (id: string) => Number((await ha.state(id))?.state);
          await expect.poll(() => state(e.importedToday("h"))).toBe(want.imported);
          expect(await state(e.exportedToday("h"))).toBe(want.exported);
          expect(await state(e.importCostToday("h"))).toBeCloseTo(want.importCost, 9);
          expect(await state(e.exportCompensationToday("h"))).toBeCloseTo(want.exportCompensation, 9);
          // the Energy dashboard's net cost is the statement's bill, to the cent
          expect(await state(e.costToday("h"))).toBeCloseTo(st.totalMinor / 100, 9);
          expect(want.importCost - want.exportCompensation).toBeCloseTo(st.totalMinor / 100, 9);
          expect((await ha.state(e.importCostToday("h")))?.attributes).toMatchObject({
            device_class: "monetary",
            state_class: "total",
          });
        });

        it("an energy card given the device token says why, inside the card, and shows the token nowhere", async () => {
          await ha.command({
            type: "lovelace/dashboards/create",
            url_path: "openlem-mistake",
            title: "A mistake",
            mode: "storage",
            show_in_sidebar: false,
            require_admin: false,
          });
          const hubSource = { url: hub.url, token: deviceTokenOf, community: "c", household: "h" };
          await ha.command({
            type: "lovelace/config/save",
            url_path: "openlem-mistake",
            config: { views: [{ cards: [{ type: "custom:openlem-energy-card", household: "h", hub: hubSource }] }] },
          });
          await page.goto(`${ha.url}/openlem-mistake/0`);
          const card = page.locator("openlem-energy-card");
          await expect
            .poll(() => card.locator('[data-testid="config-problem"]').textContent(), { timeout: 60_000 })
            .toMatch(/hub.token must be a read-only token \(olm_read_…\)/);
          // nowhere on the page, however deep in shadow roots
          const everything = await page.evaluate(() => {
            const texts: string[] = [];
            const walk = (root: Document | ShadowRoot) => {
              for (const el of root.querySelectorAll("*")) {
                texts.push(el.textContent ?? "");
                if (el.shadowRoot) walk(el.shadowRoot);
              }
            };
            walk(document);
            return texts.join(" ");
          });
          expect(everything).not.toContain(deviceTokenOf);
          await page.screenshot({ path: join(SHOTS, `home-assistant-${version}-config-problem.png`) });
        });

        it("the bid card's slider reaches the bridge through Home Assistant", async () => {
          await page.goto(`${ha.url}/energy-market/0`);
          const slider = page.locator("openlem-bid-card input[type=range]").first();
          await slider.waitFor();
          const before = Number((await ha.state(householdEntities.maxBuyPrice("h")))?.state);
          await slider.focus();
          await page.keyboard.press("ArrowLeft");
          await page.keyboard.press("ArrowLeft");
          // Home Assistant writes the number, the bridge takes the limit and reports it back
          await expect
            .poll(async () => Number((await ha.state(householdEntities.maxBuyPrice("h")))?.state))
            .toBeCloseTo(before - 0.02, 5);
        });

        it("opens each card's editor in Home Assistant's dashboard editor, filled from the card", async () => {
          await page.goto(`${ha.url}/energy-market/0?edit=1`);
          for (const [card, field] of [
            ["openlem-price-card", "c"],
            ["openlem-energy-card", "h"],
            ["openlem-community-card", "c"],
            ["openlem-bid-card", "h"],
          ] as const) {
            // the card's own Edit button in edit mode, as a user clicks it; a click that lands while
            // the editor is still settling (or the last dialog still closing) is clicked again
            const edit = page
              .locator("hui-card-options", { has: page.locator(card) })
              .getByRole("button", { name: "Edit", exact: true });
            const dialog = page.locator("hui-dialog-edit-card");
            const form = dialog.locator("ha-form").first();
            await expect
              .poll(
                async () => {
                  if (!(await form.isVisible())) await edit.click({ timeout: 2_000 }).catch(() => undefined);
                  return form.isVisible();
                },
                { timeout: 60_000, interval: 1_000 },
              )
              .toBe(true);
            // the visual editor (not the YAML fallback), filled with the card's config
            await expect
              .poll(() =>
                dialog.locator("ha-form input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
              )
              .toContain(field);
            await page.screenshot({ path: join(SHOTS, `home-assistant-${version}-editor-${card}.png`) });
            await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
            await dialog.locator("ha-form").first().waitFor({ state: "hidden" });
          }
        });
      });
    }
  }),
);
