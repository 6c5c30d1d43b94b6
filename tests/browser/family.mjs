// A parent's first visit in headless Chromium on a small Android phone (360 px wide, no
// JavaScript from us): tick a 2nd and a 5th grader on the home page, make the plan, and read it.
// Each page it reaches is checked by axe-core (WCAG 2.1 A and AA rules, 0 violations), weighed
// by the bytes the network carried, and photographed.
// Usage: node tests/browser/family.mjs BASE_URL WEEK OUT_DIR
// Prints one JSON line per page ({"page","url","bytes","violations"}) and exits 0 when every
// step worked; otherwise prints the failed step and exits 1.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [base, week, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: family.mjs BASE_URL WEEK OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const here = dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let step = "start";
try {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
    // The pages must work without scripts; axe is put in by the test, not by the page.
    javaScriptEnabled: true,
    extraHTTPHeaders: { "Accept-Encoding": "gzip, deflate, br" },
    // axe-core is put in by the test; the pages' own policy forbids every script.
    bypassCSP: true,
  });
  const page = await context.newPage();
  // Bytes carried per document: the response's headers and body as sent.
  const carried = new Map();
  page.on("requestfinished", async (req) => {
    const sizes = await req.sizes().catch(() => null);
    if (sizes) carried.set(req.url(), (carried.get(req.url()) || 0) + sizes.responseHeadersSize + sizes.responseBodySize);
  });
  const check = async (name) => {
    await page.waitForLoadState("load");
    const scripts = await page.locator("script").count();
    if (scripts > 0) throw new Error(`${name} has ${scripts} script element(s): pages must work without them`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 360) throw new Error(`${name} is ${wide} px wide on a 360 px screen`);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
    );
    const url = page.url();
    const bytes = carried.get(url) || 0;
    console.log(JSON.stringify({
      page: name,
      url,
      bytes,
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })),
    }));
  };

  step = "open the home page in Spanish";
  await page.goto(`${base}/?lang=es`);
  await check("home-es");

  step = "a grade's home page, its QR code, and the subscribe page it leads to (Spanish)";
  await page.goto(`${base}/?grade=5&lang=es`);
  await check("home-grade-es");
  await page.locator("figure.qr svg").screenshot({ path: join(out, "home-qr.png") });
  await Promise.all([page.waitForURL(/\/subscribe\?grade=5/), page.click("main a.cta")]);
  const steps = await page.locator("main").innerText();
  if (!steps.includes("Teléfono Android")) throw new Error("the subscribe page does not speak Spanish");
  await check("subscribe-es");

  step = "the whole week for grade 5, in Spanish";
  await page.goto(`${base}/schedule?grade=5&week=${week}&lang=es`);
  await check("schedule-es");

  step = "the week's packet to print, read on the phone";
  await page.goto(`${base}/packets/5/${week}.html?lang=es`);
  await check("packet-es");

  step = "tick grades 2 and 5 and make the plan";
  await page.goto(`${base}/?lang=en`);
  await page.check("#child-2");
  await page.check("#child-5");
  await Promise.all([
    page.waitForURL(/\/family\?grades=2,5/),
    page.click("form[action='/family'] button[type=submit]"),
  ]);
  await check("family-today");

  step = "the week's plan";
  await page.goto(`${base}/family?grades=2,5&week=${week}&lang=en`);
  const text = await page.locator("main").innerText();
  if (!text.includes("Grade 2") || !text.includes("Grade 5")) throw new Error("the plan does not name both children");
  await check("family-week");
  await page.locator("figure.qr svg").screenshot({ path: join(out, "plan-qr.png") });

  step = "the week's plan in Spanish";
  await page.goto(`${base}/family?grades=2,5&week=${week}&lang=es`);
  await check("family-week-es");
} catch (e) {
  console.error(`browser test failed at step "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
