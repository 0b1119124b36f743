import {
  type DeviceToken,
  type DeviceTokenCreated,
  TOKEN_SCOPE_LABEL,
  TOKEN_SCOPE_NAME,
  TOKEN_SCOPES,
} from "@openlem/protocol";
import { html, nothing, type TemplateResult } from "lit";

/** The household's device, read-only and Home Assistant tokens: make one (shown once), list and revoke them. */
export function tokensSection(o: {
  made: DeviceTokenCreated | null;
  tokens: readonly DeviceToken[];
  onMake: (e: Event) => void;
  onRevoke: (id: number) => void;
}): TemplateResult {
  const t = o.made;
  return html`<section aria-labelledby="tokens-h" data-testid="tokens">
    <h2 id="tokens-h">Devices and dashboards</h2>
    <p class="muted">A <b>device</b> token lets a bridge (Home Assistant, Node-RED, OpenEMS) bid, send readings and
      set limits for your household. A <b>read-only</b> token only reads your data: give that one to dashboards
      such as the energy card, which every user of your Home Assistant can read. A <b>Home Assistant</b> token is
      Home Assistant's own login on the hub's MQTT broker (and the bridge's, for your entities there): revoking the
      device token then leaves Home Assistant connected, showing why your devices run on their own.</p>
    <form @submit=${o.onMake}>
      <label>Name <input name="name" required maxlength="80" placeholder="Home Assistant" /></label>
      <label>Kind <select name="scope">
        ${TOKEN_SCOPES.map((s) => html`<option value=${s}>${TOKEN_SCOPE_LABEL[s]}</option>`)}
      </select></label>
      <button type="submit">Make token</button>
    </form>
    ${
      t
        ? html`<p data-testid="new-token">Your new ${TOKEN_SCOPE_NAME[t.scope]} token, shown only now:
            <code>${t.token}</code></p>`
        : nothing
    }
    <table>
      <thead><tr><th>Name</th><th>Kind</th><th>Made</th><th></th></tr></thead>
      <tbody>${o.tokens.map(
        (k) =>
          html`<tr><td>${k.name}</td><td>${TOKEN_SCOPE_NAME[k.scope]}</td><td>${k.createdAt.slice(0, 10)}</td>
            <td>${
              k.revokedAt
                ? "revoked"
                : html`<button class="plain" aria-label=${`Revoke ${k.name}`} @click=${() => o.onRevoke(k.id)}>Revoke</button>`
            }</td></tr>`,
      )}</tbody>
    </table>
  </section>`;
}
