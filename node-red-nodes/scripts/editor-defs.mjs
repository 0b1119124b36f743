// The editor side of every node: its fields, defaults, labels and outputs. The build turns
// this into the editor HTML (with each node's help from src/nodes/<node>/help.md) and the
// en-US message catalogue, so a field is described once.

const hub = { name: "hub", label: "Hub", config: "openlem-hub", required: true };
const name = { name: "name", label: "Name" };
const limits = [
  {
    name: "limit",
    label: "Price limit",
    select: [
      ["absolute", "absolute: pay at most"],
      ["relative", "relative: only the cheapest share of slots"],
    ],
    default: "absolute",
  },
  { name: "maxBuyPrice", label: "Pay at most (per kWh)", number: true, blank: true, placeholder: "retail price" },
  { name: "cheapestShare", label: "Cheapest share (0-1)", number: true, default: 0.25 },
];
const sellLimit = {
  name: "minSellPrice",
  label: "Sell for at least (per kWh)",
  number: true,
  blank: true,
  placeholder: "feed-in tariff",
};
const entity = (domain) => ({ name: "entity", label: "Home Assistant entity", placeholder: `${domain}.` });
const tick = { name: "tickS", label: "Check every (s)", number: true, default: 5 };

export const nodes = [
  {
    type: "openlem-hub",
    category: "config",
    paletteLabel: "OpenLEM hub",
    label: "community",
    fields: [
      name,
      { name: "url", label: "Hub URL", default: "http://localhost:8787", required: true },
      { name: "community", label: "Community", required: true },
      { name: "household", label: "Household", required: true },
      { name: "mqttUrl", label: "MQTT URL", placeholder: "the hub's own (ws://<hub>/mqtt)" },
    ],
    credentials: [{ name: "token", label: "Device token", password: true }],
  },
  {
    type: "openlem-price",
    paletteLabel: "price",
    inputs: 1,
    outputs: 1,
    outputLabels: ["price and forecast (priceData)"],
    fields: [name, hub],
  },
  {
    type: "openlem-result",
    paletteLabel: "result",
    inputs: 0,
    outputs: 2,
    outputLabels: ["clearing result", "own trades"],
    fields: [name, hub],
  },
  {
    type: "openlem-order",
    paletteLabel: "order",
    inputs: 1,
    outputs: 2,
    outputLabels: ["accepted", "refused (msg.error)"],
    fields: [name, hub],
  },
  {
    type: "openlem-schedule",
    paletteLabel: "schedule bids",
    inputs: 1,
    outputs: 1,
    outputLabels: ["orders (to openlem-order)"],
    fields: [
      name,
      hub,
      { name: "powerW", label: "Device power (W)", number: true, required: true, default: 2000 },
      {
        name: "dailyKwh",
        label: "Energy per day (kWh)",
        number: true,
        blank: true,
        placeholder: "its power whenever the plan has it on",
      },
      { name: "maxBuyPrice", label: "Pay at most (per kWh)", number: true, blank: true, placeholder: "retail price" },
    ],
  },
  {
    type: "openlem-meter",
    paletteLabel: "meter",
    inputs: 1,
    outputs: 1,
    outputLabels: ["reading sent"],
    fields: [
      name,
      hub,
      { name: "meterId", label: "Meter id", required: true },
      {
        name: "registers",
        label: "Registers",
        select: [
          ["import-export", "import and export"],
          ["import", "import only"],
          ["export", "export only"],
        ],
        default: "import-export",
      },
      {
        name: "unit",
        label: "Unit of the values",
        select: [
          ["kWh", "kWh"],
          ["Wh", "Wh"],
        ],
        default: "kWh",
      },
    ],
  },
  {
    type: "openlem-boiler",
    paletteLabel: "boiler",
    inputs: 1,
    outputs: 2,
    outputLabels: ["command (on / off)", "schedule"],
    fields: [
      name,
      hub,
      entity("switch"),
      { name: "volumeL", label: "Tank volume (l)", number: true, default: 200 },
      { name: "heaterW", label: "Heater power (W)", number: true, default: 3000 },
      { name: "minTempC", label: "Minimum (°C)", number: true, default: 45 },
      { name: "targetTempC", label: "Target (°C)", number: true, default: 55 },
      { name: "maxTempC", label: "Maximum (°C)", number: true, default: 65 },
      { name: "legionellaTempC", label: "Anti-legionella (°C)", number: true, default: 60 },
      { name: "legionellaEveryDays", label: "... every (days)", number: true, default: 7 },
      { name: "drawKwhPerDay", label: "Hot water per day (kWh)", number: true, default: 4.5 },
      { name: "minOnSlots", label: "Minimum on (slots)", number: true, default: 2 },
      { name: "minOffSlots", label: "Minimum off (slots)", number: true, default: 2 },
      ...limits,
      tick,
    ],
  },
  {
    type: "openlem-battery",
    paletteLabel: "battery",
    inputs: 1,
    outputs: 2,
    outputLabels: ["command (set-point W, + discharge)", "schedule"],
    fields: [
      name,
      hub,
      entity("number"),
      { name: "capacityWh", label: "Capacity (Wh)", number: true, default: 10000 },
      { name: "maxChargeW", label: "Charge power (W)", number: true, default: 5000 },
      { name: "maxDischargeW", label: "Discharge power (W)", number: true, default: 5000 },
      { name: "roundTripEfficiency", label: "Round-trip efficiency (0-1)", number: true, default: 0.9 },
      { name: "minSoc", label: "Lowest charge (0-1)", number: true, default: 0.1 },
      { name: "maxSoc", label: "Highest charge (0-1)", number: true, default: 0.95 },
      ...limits,
      sellLimit,
      tick,
    ],
  },
  {
    type: "openlem-ev",
    paletteLabel: "EV charger",
    inputs: 1,
    outputs: 2,
    outputLabels: ["command (charging power W)", "schedule"],
    fields: [
      name,
      hub,
      entity("number"),
      { name: "maxPowerW", label: "Charging power (W)", number: true, default: 11000 },
      { name: "needKwh", label: "Energy to add (kWh)", number: true, default: 20 },
      { name: "departure", label: "Leaves at (HH:MM)", default: "07:00" },
      ...limits,
      tick,
    ],
  },
];
