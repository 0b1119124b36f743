import { householdEntities } from "@openlem/protocol";

/**
 * A household's devices as helpers a real Home Assistant has without hardware (an element
 * switch, a tank temperature, optionally a battery and a PV energy sensor), and the bridge's
 * config for them: what the tests against a real Home Assistant share.
 */
export interface House {
  /** The tank's temperature at start (°C). */
  boilerTempC: number;
  /** A battery with this state of charge (%) and a set-point helper. */
  batterySocPercent?: number;
  /** A PV energy-today sensor with this value (kWh). */
  pvKwhToday?: number;
  /** More top-level configuration (integrations the test needs). */
  extra?: string;
}

export function houseYaml(h: House): string {
  const battery = h.batterySocPercent !== undefined;
  return `${h.extra ?? ""}
input_boolean:
  boiler:
    name: Boiler element
input_number:
  boiler_temperature:
    name: Boiler temperature input
    min: 0
    max: 100
    step: 0.1
    initial: ${h.boilerTempC}
${
  battery
    ? `  battery_soc_input:
    name: Battery SOC input
    min: 0
    max: 100
    step: 1
    initial: ${h.batterySocPercent}
  battery_setpoint:
    name: Battery setpoint
    min: -5000
    max: 5000
    step: 1
    initial: 0
    mode: box
`
    : ""
}template:
  - sensor:
      - name: Boiler temperature
        unique_id: openlem_test_boiler_temperature
        state: "{{ states('input_number.boiler_temperature') }}"
        unit_of_measurement: "°C"
        device_class: temperature
${
  battery
    ? `      - name: Battery SOC
        unique_id: openlem_test_battery_soc
        state: "{{ states('input_number.battery_soc_input') }}"
        unit_of_measurement: "%"
        device_class: battery
`
    : ""
}${
  h.pvKwhToday !== undefined
    ? `      - name: PV energy today
        unique_id: openlem_test_pv_today
        state: "${h.pvKwhToday}"
        unit_of_measurement: kWh
        device_class: energy
        state_class: total_increasing
`
    : ""
}`;
}

/** The bridge's YAML for the house: its boiler (and battery), the hub, and optionally a broker. */
export function houseBridgeYaml(o: {
  ha: { url: string; token: string };
  hubUrl: string;
  deviceToken: string;
  stateDir: string;
  mqtt?: { url: string; username?: string; password?: string };
  battery?: boolean;
}): string {
  const mqtt = o.mqtt
    ? `mqtt: { url: "${o.mqtt.url}"${o.mqtt.username ? `, username: ${o.mqtt.username}` : ""}${o.mqtt.password ? `, password: "${o.mqtt.password}"` : ""} }\n`
    : "";
  const battery = o.battery
    ? `battery:
  soc: sensor.battery_soc
  setpoint: input_number.battery_setpoint
  capacityWh: 10000
  maxChargeW: 5000
  maxDischargeW: 5000
`
    : "";
  return `homeAssistant: { url: "${o.ha.url}", token: "${o.ha.token}" }
hub: { url: "${o.hubUrl}", community: c, household: h, deviceToken: "${o.deviceToken}" }
${mqtt}boiler:
  switch: input_boolean.boiler
  temperature: sensor.boiler_temperature
  volumeL: 200
  heaterW: 3000
${battery}stateDir: ${o.stateDir}
`;
}

/**
 * README step 6, as a user sets it up: the Energy dashboard's grid from the household's imports
 * with their cost and exports with their compensation. Gives what Home Assistant's validation
 * finds, besides statistics not compiled yet (every five minutes, so a fresh entity has none).
 */
export async function setUpEnergyDashboard(
  ha: { command<T>(msg: Record<string, unknown>): Promise<T> },
  household: string,
): Promise<unknown[]> {
  const e = householdEntities;
  await ha.command({
    type: "energy/save_prefs",
    energy_sources: [
      {
        type: "grid",
        flow_from: [
          {
            stat_energy_from: e.importedToday(household),
            stat_cost: e.importCostToday(household),
            entity_energy_price: null,
            number_energy_price: null,
          },
        ],
        flow_to: [
          {
            stat_energy_to: e.exportedToday(household),
            stat_compensation: e.exportCompensationToday(household),
            entity_energy_price: null,
            number_energy_price: null,
          },
        ],
        cost_adjustment_day: 0,
      },
    ],
    device_consumption: [],
  });
  const validation = await ha.command<{ energy_sources: { type: string }[][] }>({ type: "energy/validate" });
  return validation.energy_sources.flat().filter((i) => i.type !== "statistics_not_defined");
}
