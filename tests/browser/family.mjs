// A parent's first visit in headless Chromium on a small Android phone (360 px wide) or a
// computer (1280 px), no JavaScript from us: reach the subscribe steps of every platform by
// keyboard alone, tick a 2nd and a 5th grader on the home page, make the plan, and read it.
// Each page it reaches is checked by axe-core (WCAG 2.1 A and AA rules, 0 violations), weighed
// by the bytes the network carried, and photographed.
// Usage: node tests/browser/family.mjs BASE_URL WEEK OUT_DIR [WIDTH]   (360 by default: a phone;
// 1280: a computer's screen). Screenshots are named with the width.
// Prints one JSON line per page ({"page","url","bytes","violations"}) and exits 0 when every
// step worked; otherwise prints the failed step and exits 1.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [base, week, out, widthArg] = process.argv.slice(2);
const width = Number(widthArg || 360);
const phone = width < 600;
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
    viewport: { width, height: phone ? 740 : 800 },
    deviceScaleFactor: 2,
    isMobile: phone,
    hasTouch: phone,
    userAgent: phone
      ? "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
      : undefined,
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
    if (wide > width) throw new Error(`${name} is ${wide} px wide on a ${width} px screen`);
    await page.screenshot({ path: join(out, `${name}-${width}.png`), fullPage: true });
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
  await page.locator("figure.qr svg").screenshot({ path: join(out, `home-qr-${width}.png`) });
  // By keyboard alone: Tab from the top of the page to the subscribe button, Enter.
  let tabs = 0;
  while (tabs < 15) {
    await page.keyboard.press("Tab");
    tabs++;
    if (await page.evaluate(() => document.activeElement?.classList.contains("cta"))) break;
  }
  if (tabs >= 15) throw new Error("the subscribe button is not within 15 Tab stops of the top");
  await Promise.all([page.waitForURL(/\/subscribe\?grade=5/), page.keyboard.press("Enter")]);
  console.error(`keyboard: the subscribe button is Tab stop ${tabs}`);
  // Each platform's steps open from the keyboard, and its link (if any) is reachable.
  const summaries = await page.locator("main summary").count();
  for (let i = 0; i < summaries; i++) {
    const summary = page.locator("main summary").nth(i);
    await summary.focus();
    const open = await summary.evaluate((s) => s.parentElement.open);
    if (!open) await page.keyboard.press("Enter");
    if (!(await summary.evaluate((s) => s.parentElement.open))) throw new Error(`platform ${i} does not open by keyboard`);
    const link = summary.locator("xpath=..").locator("a").first();
    if (await link.count()) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => document.activeElement?.tagName);
      if (focused !== "A") throw new Error(`platform ${i}: Tab after its heading reaches ${focused}, not its link`);
    }
  }
  const steps = await page.locator("main").innerText();
  if (!steps.includes("Teléfono Android")) throw new Error("the subscribe page does not speak Spanish");
  await check("subscribe-es");

  step = "the whole week for grade 5, in Spanish";
  await page.goto(`${base}/schedule?grade=5&week=${week}&lang=es`);
  await check("schedule-es");

  step = "the week's packet to print, read on the phone";
  await page.goto(`${base}/packets/5/${week}.html?lang=es`);
  await check("packet-es");

  step = "the fullest week of the demo, grade 2's (over 100 airings), and its packet";
  await page.goto(`${base}/schedule?grade=2&week=${week}&lang=es`);
  await check("schedule-full-es");
  await page.goto(`${base}/packets/2/${week}.html?lang=es`);
  await check("packet-full-es");

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
  await page.locator("figure.qr svg").screenshot({ path: join(out, `plan-qr-${width}.png`) });

  step = "the week's plan in Spanish";
  await page.goto(`${base}/family?grades=2,5&week=${week}&lang=es`);
  await check("family-week-es");
} catch (e) {
  console.error(`browser test failed at step "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
