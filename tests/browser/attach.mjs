// A teacher's first task in headless Chromium: sign in, find a grade 5 airing in the demo week,
// attach work to its episode, and find the work in the grade 5 calendar feed.
// Usage: node tests/browser/attach.mjs BASE_URL EMAIL PASSWORD OUT_DIR
// Exits 0 when every step worked; otherwise prints the failed step and exits 1.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, email, password, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: attach.mjs BASE_URL EMAIL PASSWORD OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const title = "Fractions with pizza (browser test)";

const browser = await chromium.launch({
  executablePath,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let step = "start";
try {
  // A narrow phone-sized window: the pages must work there too.
  const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
  // No JavaScript: every page must work without it.
  await page.context().route("**/*.js", (r) => r.abort());

  step = "sign in";
  await page.goto(`${base}/teach/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/teach(\?|$|\/$)/), page.click("form[action='/teach/login'] button[type=submit]")]);

  step = "find a grade 5 airing in the week of 2020-04-13";
  await page.goto(`${base}/teach?grade=5&week=2020-04-13`);
  const link = page.locator("a[href^='/teach/airings/']").first();
  await link.waitFor();
  await Promise.all([page.waitForURL(/\/teach\/airings\/\d+/), link.click()]);

  step = "fill in the attach form";
  await page.fill("#title", title);
  await page.fill("#instructions", "Watch the episode, then draw a pizza cut in quarters and colour three of them.");
  await page.fill("#instructions_es", "Mira el episodio y dibuja una pizza cortada en cuartos; colorea tres.");
  await page.fill("#minutes", "20");
  await page.fill("#grades", "5");
  await page.check("input[name=scope][value=episode]");
  const form = page.locator("form[action='/teach/assignments']");
  await form.screenshot({ path: join(out, "attach-form.png") });
  await page.screenshot({ path: join(out, "airing-page.png"), fullPage: true });

  step = "attach it";
  await Promise.all([page.waitForURL(/\/teach\/assignments/), form.locator("button[type=submit]").click()]);
  const listed = await page.content();
  if (!listed.includes(title)) throw new Error("the new work is not on the my-assignments page");

  step = "see it in the grade 5 feed";
  const res = await page.request.get(`${base}/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19`);
  const ics = (await res.text()).replaceAll("\r\n ", "");
  if (res.status() !== 200) throw new Error(`feed answered ${res.status()}`);
  const n = ics.split(`Work to do: ${title} (20 min)`).length - 1;
  if (n < 1) throw new Error("the work is not in the grade 5 feed");
  console.log(`ok: work attached to an episode, in ${n} event(s) of the grade 5 feed; screenshots in ${out}`);
} catch (e) {
  console.error(`browser test failed at step "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
