import type { HomeAssistant } from "./hass.js";

const en = {
  price: "Local price",
  now: "now",
  retail: "retail",
  feedIn: "feed-in",
  cheapest: "cheapest window",
  tomorrow: "tomorrow",
  noPrice: "No price yet: is the hub running and on the same MQTT broker as Home Assistant?",
  noData: "no price",
  energy: "My energy",
  today: "Today",
  week: "This week",
  month: "This month",
  boughtLocal: "Bought locally",
  boughtGrid: "Bought from the grid",
  ownPv: "Own PV",
  soldLocal: "Sold locally",
  soldGrid: "Sold to the grid",
  bill: "Bill",
  savings: "Savings vs. utility only",
  needsHub: "Set a hub source (url and token) for weeks and months.",
  community: "Community",
  selfSufficiency: "Self-sufficiency",
  localTradeShare: "Local trade share",
  battery: "Community battery",
  neighbours: "Neighbours",
  grid: "Grid",
  bid: "My price limits",
  maxBuy: "Pay at most",
  minSell: "Sell for at least",
  limits: "Community limits",
  unavailable: "unavailable",
} as const;
export type Key = keyof typeof en;

const de: Record<Key, string> = {
  price: "Lokaler Preis",
  now: "jetzt",
  retail: "Bezug",
  feedIn: "Einspeisung",
  cheapest: "günstigstes Fenster",
  tomorrow: "morgen",
  noPrice: "Noch kein Preis: läuft der Hub, und nutzt er denselben MQTT-Broker wie Home Assistant?",
  noData: "kein Preis",
  energy: "Meine Energie",
  today: "Heute",
  week: "Diese Woche",
  month: "Dieser Monat",
  boughtLocal: "Lokal gekauft",
  boughtGrid: "Aus dem Netz",
  ownPv: "Eigener PV-Strom",
  soldLocal: "Lokal verkauft",
  soldGrid: "Ins Netz eingespeist",
  bill: "Rechnung",
  savings: "Ersparnis ggü. nur Versorger",
  needsHub: "Für Wochen und Monate eine Hub-Quelle (URL und Token) angeben.",
  community: "Gemeinschaft",
  selfSufficiency: "Autarkie",
  localTradeShare: "Anteil lokaler Handel",
  battery: "Gemeinschaftsspeicher",
  neighbours: "Nachbarn",
  grid: "Netz",
  bid: "Meine Preisgrenzen",
  maxBuy: "Höchstens zahlen",
  minSell: "Mindestens erhalten",
  limits: "Grenzen der Gemeinschaft",
  unavailable: "nicht verfügbar",
};

/** The card's language follows Home Assistant's; German or English. */
export function t(hass: HomeAssistant | undefined, key: Key): string {
  const lang = hass?.locale?.language ?? hass?.language ?? "en";
  return lang.toLowerCase().startsWith("de") ? de[key] : en[key];
}

export function locale(hass: HomeAssistant | undefined): string {
  return hass?.locale?.language ?? hass?.language ?? "en";
}
