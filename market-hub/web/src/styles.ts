import { css } from "lit";

/** One look for both pages: readable, keyboard-friendly, light and dark by the system's preference. */
export const pageStyles = css`
  :host {
    --olm-text: #1f2328;
    --olm-muted: #59636e;
    --olm-accent: #0969da;
    --olm-line: #d0d7de;
    --olm-good: #1a7f37;
    --olm-warn: #bf8700;
    --olm-bad: #cf222e;
    --olm-bg: #ffffff;
    --olm-panel: #f6f8fa;
    display: block;
    font-family: system-ui, sans-serif;
    color: var(--olm-text);
    background: var(--olm-bg);
    min-height: 100vh;
  }
  :host([theme="dark"]) {
    --olm-text: #e6edf3;
    --olm-muted: #9198a1;
    --olm-accent: #4493f8;
    --olm-line: #3d444d;
    --olm-bg: #0d1117;
    --olm-panel: #151b23;
  }
  header {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: 12px 20px;
    border-bottom: 1px solid var(--olm-line);
  }
  main {
    padding: 16px 20px;
    display: grid;
    gap: 16px;
    grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
  }
  section {
    background: var(--olm-panel);
    border: 1px solid var(--olm-line);
    border-radius: 8px;
    padding: 12px 16px;
  }
  h1 {
    font-size: 1.2em;
    margin: 0;
  }
  h2 {
    font-size: 1em;
    margin: 0 0 8px;
  }
  form {
    display: grid;
    gap: 6px;
  }
  label {
    display: grid;
    gap: 2px;
    font-size: 0.9em;
  }
  input,
  select,
  button {
    font: inherit;
    padding: 4px 8px;
    border: 1px solid var(--olm-line);
    border-radius: 6px;
    background: var(--olm-bg);
    color: var(--olm-text);
  }
  button {
    cursor: pointer;
    background: var(--olm-accent);
    color: #fff;
    border: none;
    justify-self: start;
  }
  button.plain {
    background: none;
    color: var(--olm-accent);
    border: 1px solid var(--olm-line);
  }
  :focus-visible {
    outline: 2px solid var(--olm-accent);
    outline-offset: 2px;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.9em;
  }
  th,
  td {
    text-align: left;
    padding: 3px 4px;
    border-bottom: 1px solid var(--olm-line);
  }
  .error {
    color: var(--olm-bad);
  }
  .muted {
    color: var(--olm-muted);
    font-size: 0.9em;
  }
  .pin {
    font-size: 1.6em;
    letter-spacing: 0.2em;
    font-family: monospace;
  }
  svg text {
    fill: var(--olm-muted);
    font-size: 10px;
  }
`;
