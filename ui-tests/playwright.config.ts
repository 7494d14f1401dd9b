/**
 * Galata configuration: a real JupyterLab driven by Debian's Chromium (no Playwright browser
 * download). CHROMIUM_PATH overrides the browser.
 */
import { defineConfig } from '@playwright/test';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  ...baseConfig,
  workers: 1,
  use: {
    ...baseConfig.use,
    video: 'off', // Galata's default needs Playwright's own ffmpeg download
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage' // a container's small /dev/shm is too small for Chromium
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    url: 'http://localhost:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
});
