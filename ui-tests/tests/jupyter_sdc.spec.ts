/**
 * jupyter-sdc in a real JupyterLab and Chromium: the record renderer, the "SDC outputs"
 * sidebar and the export button, against the real server extension and exporter.
 *
 * The notebooks in ../notebooks hold saved outputs (written by make_notebooks.py), so these
 * tests need no kernel-side magic. SDC_SCREENSHOTS=1 refreshes the images in docs/images.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const NOTEBOOKS = path.resolve(__dirname, '..', 'notebooks');
const IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');
const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'project');
const RULE_TABLE = path.resolve(__dirname, '..', '..', 'jupyter_sdc', 'core', 'rule_table.json');

async function screenshot(locator: ReturnType<IJupyterLabPageFixture['locator']>, name: string) {
  if (process.env.SDC_SCREENSHOTS) {
    await locator.screenshot({ path: path.join(IMAGES, name), animations: 'disabled' });
  }
}

/** Upload a project (sdc.toml + one notebook) into tmpPath and open the notebook. */
async function openProject(page: IJupyterLabPageFixture, tmpPath: string, notebook: string) {
  await page.contents.uploadFile(path.join(NOTEBOOKS, 'sdc.toml'), `${tmpPath}/sdc.toml`);
  await page.contents.uploadFile(path.join(NOTEBOOKS, notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
}

async function openSidebar(page: IJupyterLabPageFixture) {
  const tab = page.locator('.lm-TabBar-tab[data-id="jp-sdc-sidebar"]');
  const sidebar = page.locator('#jp-sdc-sidebar');
  if (!(await sidebar.isVisible())) {
    await tab.click();
  }
  await expect(sidebar).toBeVisible();
  return sidebar;
}

/** A text file of the server's root, through its contents API. */
async function readText(page: IJupyterLabPageFixture, file: string): Promise<string> {
  return page.evaluate(async file => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(file, { content: true, format: 'text' });
    return model.content as string;
  }, file);
}

/** Request folders under `${tmpPath}/SDC`, found through the server's contents API. */
async function requestFolders(page: IJupyterLabPageFixture, tmpPath: string): Promise<string[]> {
  if (!(await page.contents.directoryExists(`${tmpPath}/SDC`))) {
    return [];
  }
  const listing = await page.evaluate(async dir => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(dir, { content: true });
    return model.content.map((item: any) => item.name as string);
  }, `${tmpPath}/SDC`);
  // staging folders are hidden; each request's checkers' folder beside it is not a request
  return listing.filter(name => !name.startsWith('.') && !name.endsWith('.checker'));
}

test.use({ autoGoto: true });

test('saved records render as badges with their status in words', async ({ page, tmpPath }) => {
  await openProject(page, tmpPath, 'checked.ipynb');
  const records = page.locator('.jp-OutputArea-output .jp-sdc-record');
  await expect(records).toHaveCount(3);
  // Our renderer wins over the text/html badge in the same bundle, even untrusted.
  const trusted = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.content.model.cells.get(1).trusted
  );
  expect(trusted).toBe(false);
  await expect(page.locator('.jp-OutputArea-output b', { hasText: 'PASS' })).toHaveCount(0);

  const badges = records.locator('.jp-sdc-badge');
  // The rule table's words, as on the kernel's badge (the next test checks every symbol).
  await expect(badges).toHaveText([/PASS/, /REVIEW/, /FAIL/]);
  expect(
    await badges.evaluateAll(nodes => nodes.map(n => (n as HTMLElement).dataset.status))
  ).toEqual(['pass', 'review', 'fail']);
  await expect(badges.nth(2)).toHaveAttribute('aria-label', 'Disclosure check: Fail');
  await expect(badges.nth(2)).toHaveAttribute('tabindex', '0');

  const failing = records.nth(2);
  await expect(failing).toHaveAttribute('aria-label', 'Table 3: disclosure check Fail');
  await expect(failing.locator('.jp-sdc-reasons li')).toHaveText([
    '1 cell has fewer than 10 contributing records (threshold).'
  ]);
  await expect(failing.locator('.jp-sdc-exception')).toContainText(
    'Exception requested: The small cell'
  );
  // The one cell under the threshold is marked, with its unweighted count beside the value.
  const flagged = failing.locator('td.jp-sdc-cell-fail');
  await expect(flagged).toHaveCount(1);
  await expect(flagged).toContainText('4');
  await expect(flagged.locator('.jp-sdc-count')).toHaveText('(n=4)');
  // The rule table's words for the rule, with the record's threshold filled in.
  await expect(flagged).toHaveAttribute(
    'title',
    'Fails: fewer than 10 contributing records (threshold)'
  );
  await expect(failing.locator('th[scope="row"]').first()).toHaveText('North');
  await expect(failing.locator('thead th').first()).toHaveText('sex'); // column level name
  await expect(records.nth(1).locator('.jp-sdc-explanation')).toHaveText(
    'Hours include negative adjustments from the payroll survey.'
  );
  await failing.scrollIntoViewIfNeeded();
  await screenshot(failing, 'lab-badge.png');
});

test('the sidebar lists every output, its counts and what an export would do', async ({
  page,
  tmpPath
}) => {
  await openProject(page, tmpPath, 'checked.ipynb');
  const sidebar = await openSidebar(page);
  await expect(sidebar.locator('.jp-sdc-count-pass')).toHaveText('Pass: 1');
  await expect(sidebar.locator('.jp-sdc-count-review')).toHaveText('Review: 1');
  await expect(sidebar.locator('.jp-sdc-count-fail')).toHaveText('Fail: 1');
  const items = sidebar.locator('.jp-sdc-item');
  await expect(items.locator('.jp-sdc-item-name')).toHaveText(['Table 1', 'Table 2', 'Table 3']);
  await expect(items.nth(2).locator('.jp-sdc-item-reason')).toHaveText(
    '1 cell has fewer than 10 contributing records (threshold).'
  );
  await expect(items.locator('.jp-sdc-item-plan')).toHaveText([
    'Included.',
    'Included.',
    'Included as an exception request.'
  ]);
  if (process.env.SDC_SCREENSHOTS) {
    // The panel is as tall as the window: keep the part with content.
    const box = (await sidebar.boundingBox())!;
    const list = (await sidebar.locator('.jp-sdc-list').boundingBox())!;
    await page.screenshot({
      path: path.join(IMAGES, 'lab-sidebar.png'),
      clip: { x: box.x, y: box.y, width: box.width, height: list.y + list.height - box.y + 8 }
    });
  }

  // Click: the notebook goes to that output's cell.
  await items.nth(2).locator('button').click();
  await expect(page.locator('.jp-Notebook .jp-Cell.jp-mod-active')).toContainText('Table 3');

  // It follows the notebook: clearing the outputs empties it.
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('notebook:clear-all-cell-outputs')
  );
  await expect(sidebar.locator('.jp-sdc-count-fail')).toHaveText('Fail: 0');
  await expect(sidebar.locator('.jp-sdc-empty')).toContainText('No checked outputs');
});

test("the lab badge shows the rule table's symbol and word for each status", async ({
  page,
  tmpPath
}) => {
  const statuses = JSON.parse(fs.readFileSync(RULE_TABLE, 'utf-8')).statuses as {
    [status: string]: { symbol: string; word: string; text: string };
  };
  expect(Object.keys(statuses)).toEqual(['pass', 'review', 'fail']);
  await openProject(page, tmpPath, 'checked.ipynb');
  const sidebar = await openSidebar(page);
  await expect(sidebar.locator('.jp-sdc-item')).toHaveCount(3);
  for (const [status, look] of Object.entries(statuses)) {
    // In the output (the kernel's badge shows the same symbol and word) and in the sidebar.
    for (const where of [page.locator('.jp-OutputArea-output'), sidebar]) {
      const badge = where.locator(`.jp-sdc-badge[data-status="${status}"]`);
      await expect(badge.locator('.jp-sdc-badge-symbol')).toHaveText(look.symbol);
      await expect(badge.locator('.jp-sdc-badge-text')).toHaveText(look.word);
      await expect(badge).toHaveAttribute('aria-label', `Disclosure check: ${look.text}`);
    }
  }
});

test('the sidebar shows what the exporter decides for each output', async ({ page, tmpPath }) => {
  await openProject(page, tmpPath, 'decisions.ipynb');
  const sidebar = await openSidebar(page);
  const items = sidebar.locator('.jp-sdc-item');
  await expect(items).toHaveCount(3);
  expect(
    await items.evaluateAll(nodes => nodes.map(n => (n as HTMLElement).dataset.disposition))
  ).toEqual(['needs-explanation', 'left-out', 'excluded']);
  // A passing output without an explanation is held back until explained, as the export
  // (whose document inspector refuses it) does.
  await expect(items.nth(0).locator('.jp-sdc-item-plan')).toHaveText(
    /^Left out until fixed: Explain this output/
  );
  // A failing one without an exception is left out, for the exporter's reason.
  await expect(items.nth(1).locator('.jp-sdc-item-plan')).toHaveText(
    /^Left out: It fails threshold and has no exception reason\. Mitigate it/
  );
  await expect(items.nth(2).locator('.jp-sdc-item-plan')).toHaveText(
    'Excluded: marked not to include.'
  );
  await expect(sidebar.locator('.jp-sdc-count-pass')).toHaveText('Pass: 2');
  await expect(sidebar.locator('.jp-sdc-count-fail')).toHaveText('Fail: 1');
});

test("the sidebar's labels are the ones the export prints", async ({ page, tmpPath }) => {
  await openProject(page, tmpPath, 'numbered.ipynb');
  const sidebar = await openSidebar(page);
  const names = sidebar.locator('.jp-sdc-item-name');
  await expect(names).toHaveText(['Table 1', 'Table 2', 'Table 3']);
  const shown = await names.allTextContents();

  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('jupyter-sdc:export');
  });
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('SDC release request exported', {
    timeout: 60000
  });
  await expect(dialog.locator('.jp-sdc-export-included li')).toHaveText([
    'Table 1: People by region and sex (pass)',
    'Table 2: People by region (pass)',
    'Table 3: People with a second job by region and sex (fail)'
  ]);
  const folder = await dialog.locator('.jp-sdc-export-folder code').textContent();
  await dialog.getByRole('button', { name: 'Ok' }).click();
  // What the request itself says it holds.
  const preflight = JSON.parse(await readText(page, `${folder}/preflight.json`));
  expect(preflight.included.map((output: { label: string }) => output.label)).toEqual(shown);
});

test('when the server cannot be reached the sidebar says so, with no stale decision', async ({
  page,
  tmpPath
}) => {
  await openProject(page, tmpPath, 'checked.ipynb');
  const sidebar = await openSidebar(page);
  await expect(sidebar.locator('.jp-sdc-item-plan').first()).toHaveText('Included.');

  // (The client adds a query string to every request.)
  const plan = (url: URL) => url.pathname.endsWith('/jupyter-sdc/plan');
  await page.route(plan, route => route.abort('connectionrefused'));
  // Any change to the notebook asks the exporter again.
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('notebook:insert-cell-below')
  );
  const error = sidebar.locator('.jp-sdc-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('role', 'alert');
  await expect(error.locator('.jp-sdc-error-message')).toContainText(
    'Cannot reach the Jupyter server'
  );
  await expect(sidebar.locator('.jp-sdc-item')).toHaveCount(0);
  await expect(sidebar).not.toContainText('Included');

  await page.unroute(plan);
  await error.getByRole('button', { name: 'Try again' }).click();
  await expect(sidebar.locator('.jp-sdc-item-plan')).toHaveText([
    'Included.',
    'Included.',
    'Included as an exception request.'
  ]);
  await expect(error).toHaveCount(0);
});

test('the export button writes a request folder and reports it', async ({ page, tmpPath }) => {
  await openProject(page, tmpPath, 'checked.ipynb');
  const button = page.locator('.jp-NotebookPanel-toolbar .jp-sdc-export-button');
  await expect(button).toBeVisible();
  // Two quick clicks make one export.
  await button.locator('button, jp-button').first().dblclick();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('SDC release request exported', {
    timeout: 60000
  });
  const folderText = await dialog.locator('.jp-sdc-export-folder code').textContent();
  expect(folderText).toMatch(new RegExp(`^${tmpPath}/SDC/P-1234_\\d{4}_\\d{2}_\\d{2}`));
  await expect(dialog.locator('.jp-sdc-export-included h3')).toHaveText('Included (3)');
  await expect(dialog.locator('.jp-sdc-export-included li')).toHaveText([
    'Table 1: People by region and sex (pass)',
    'Table 2: Mean hours by region and sex (review)',
    'Table 3: People with a second job by region and sex (fail)'
  ]);
  await expect(dialog.locator('.jp-sdc-export-left-out h3')).toHaveText('Left out (0)');
  await screenshot(dialog.locator('.jp-Dialog-content'), 'lab-export-dialog.png');
  await dialog.getByRole('button', { name: 'Ok' }).click();
  await expect(dialog).toHaveCount(0);

  for (const name of ['outputs.docx', 'release_request.docx', 'results.json', 'preflight.json']) {
    expect(await page.contents.fileExists(`${folderText}/${name}`), name).toBe(true);
  }
  expect(await requestFolders(page, tmpPath)).toHaveLength(1);
});

test('an export with a failing output and no exception says what to fix', async ({
  page,
  tmpPath
}) => {
  await openProject(page, tmpPath, 'failing.ipynb');
  const sidebar = await openSidebar(page);
  // The exporter's own words (POST /jupyter-sdc/plan), which the refusal below repeats.
  await expect(sidebar.locator('.jp-sdc-item-plan')).toHaveText([
    'Included.',
    /^Left out: .*no exception reason/,
    /^Left out until fixed: Explain this output/,
    'Excluded: marked not to include.'
  ]);
  await expect(sidebar.locator('.jp-sdc-item').nth(2)).toHaveAttribute(
    'data-disposition',
    'needs-explanation'
  );
  // From the command palette's command (not awaited: it resolves when the dialog closes).
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('jupyter-sdc:export');
  });
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('SDC export: fix these first', {
    timeout: 60000
  });
  await expect(dialog.locator('.jp-sdc-export-problems li').first()).toBeVisible();
  await expect(dialog.locator('.jp-sdc-export-problems li')).toHaveText([
    /^Table 3 "People with a second job by region and sex": .*no exception reason/,
    /^Table 4 "Mean hours by region and sex": Explain this output/
  ]);
  await expect(dialog.locator('.jp-sdc-export-nothing')).toHaveText(
    'Nothing was written to the SDC folder.'
  );
  await screenshot(dialog.locator('.jp-Dialog-content'), 'lab-export-refused.png');
  await dialog.getByRole('button', { name: 'Ok' }).click();
  expect(await requestFolders(page, tmpPath)).toHaveLength(0);
});

test('the example project: run all in a real kernel, see every verdict, export it', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(240000);
  const csv = path.join(EXAMPLE, 'data', 'lfs_synthetic.csv');
  expect(
    fs.existsSync(csv),
    'make the example data first: python examples/project/make_data.py'
  ).toBe(true);
  await page.contents.uploadFile(path.join(EXAMPLE, 'sdc.toml'), `${tmpPath}/sdc.toml`);
  await page.contents.uploadFile(csv, `${tmpPath}/data/lfs_synthetic.csv`);
  await page.contents.uploadFile(path.join(EXAMPLE, 'analysis.ipynb'), `${tmpPath}/analysis.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/analysis.ipynb`);
  await page.notebook.activate('analysis.ipynb');
  await page.notebook.run();

  const records = page.locator('.jp-OutputArea-output .jp-sdc-record');
  await expect(records.first()).toBeVisible();
  const seen = await records.evaluateAll(nodes =>
    nodes.map(node => ({
      uid: (node as HTMLElement).dataset.uid,
      status: (node.querySelector('.jp-sdc-badge') as HTMLElement).dataset.status,
      label: node.querySelector('.jp-sdc-label')?.textContent ?? ''
    }))
  );
  expect(seen.length).toBeGreaterThanOrEqual(5);
  // The example is written to show every verdict.
  expect(new Set(seen.map(r => r.status))).toEqual(new Set(['pass', 'review', 'fail']));
  expect(new Set(seen.map(r => r.uid)).size).toBe(seen.length);

  const sidebar = await openSidebar(page);
  for (const status of ['pass', 'review', 'fail']) {
    const expected = seen.filter(r => r.status === status).length;
    await expect(sidebar.locator(`.jp-sdc-count-${status}`)).toHaveAttribute(
      'data-count',
      String(expected)
    );
  }
  await expect(sidebar.locator('.jp-sdc-item')).toHaveCount(seen.length);

  // Its failing outputs have no exception. Under on_problems = "warn" the export leaves each
  // of them out and says so; under "refuse" it lists each of them to fix.
  const config = fs.readFileSync(path.join(EXAMPLE, 'sdc.toml'), 'utf-8');
  const warns = /^\s*on_problems\s*=\s*"warn"/m.test(config);
  const failingLabels = seen.filter(r => r.status === 'fail').map(r => r.label);
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('jupyter-sdc:export');
  });
  const dialog = page.locator('.jp-Dialog');
  if (warns) {
    await expect(dialog.locator('.jp-Dialog-header')).toHaveText('SDC release request exported', {
      timeout: 60000
    });
    const leftOut = dialog.locator('.jp-sdc-export-left-out');
    for (const label of failingLabels) {
      await expect(leftOut).toContainText(label);
    }
    const folder = await dialog.locator('.jp-sdc-export-folder code').textContent();
    expect(await page.contents.fileExists(`${folder}/outputs.docx`)).toBe(true);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    expect(await requestFolders(page, tmpPath)).toHaveLength(1);
    return;
  }
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('SDC export: fix these first', {
    timeout: 60000
  });
  const problems = dialog.locator('.jp-sdc-export-problems');
  for (const label of failingLabels) {
    await expect(problems).toContainText(label);
  }
  await dialog.getByRole('button', { name: 'Ok' }).click();
  expect(await requestFolders(page, tmpPath)).toHaveLength(0);
});

test('a remedy is previewed, applied as a new cell under the failing one, and passes', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(180000);
  await openProject(page, tmpPath, 'remedy.ipynb');
  await page.notebook.run();
  const failing = page.locator('.jp-Cell').nth(1).locator('.jp-sdc-record');
  await expect(failing.locator('.jp-sdc-header .jp-sdc-badge')).toHaveAttribute(
    'data-status',
    'fail',
    {
      timeout: 60000
    }
  );
  const remedies = failing.locator('.jp-sdc-remedy');
  await expect(remedies.first()).toBeVisible();
  const best = remedies.first();
  await expect(best.locator('.jp-sdc-remedy-head .jp-sdc-badge')).toHaveAttribute(
    'data-status',
    'pass'
  );
  await expect(best.locator('.jp-sdc-remedy-description')).toContainText('Wales');

  // The preview: the original and the remedied table side by side, the changed cells marked.
  await best.locator('.jp-sdc-remedy-show').click();
  await expect(best.locator('.jp-sdc-remedy-side h4')).toHaveText([
    'Original',
    'With this remedy (changes marked)'
  ]);
  await expect(best.locator('.jp-sdc-remedy-remedied .jp-sdc-cell-changed').first()).toBeVisible();
  await expect(best.locator('.jp-sdc-remedy-original .jp-sdc-cell-fail').first()).toBeVisible();
  await screenshot(best, 'lab-remedy.png');

  // Apply: a new code cell under the failing one, run at once; its output passes.
  await best.locator('.jp-sdc-remedy-apply').click();
  const cells = page.locator('.jp-Notebook .jp-Cell');
  await expect(cells).toHaveCount(3);
  const added = cells.nth(2);
  await expect(added.locator('.jp-InputArea')).toContainText('%%sdc_check --label "Table 1"');
  await expect(added.locator('.jp-InputArea')).toContainText('--supersedes');
  await expect(added.locator('.jp-sdc-record .jp-sdc-header .jp-sdc-badge')).toHaveAttribute(
    'data-status',
    'pass',
    { timeout: 60000 }
  );
  await expect(added.locator('.jp-sdc-label')).toHaveText('Table 1');
  // The failing output is marked superseded (the kernel updated its saved record in place).
  await expect(failing.locator('.jp-sdc-superseded')).toContainText('Superseded by output');
  await expect(failing.locator('.jp-sdc-remedy-apply')).toHaveCount(0);
});
