"""Open rendered report pages in headless Chromium (Debian's chromium + chromium-driver) via Selenium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def open_page(path: Path, screenshot: Path | None = None) -> dict:
    """Load a local page offline; return console errors, image load state and failed requests."""
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download anything
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,2000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(60)
        driver.get(Path(path).resolve().as_uri())
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "Promise.all(Array.from(document.images).map(i => i.complete ? 1 :"
            " new Promise(r => { i.onload = i.onerror = r; }))).then(() => done(1));")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => ({src: i.src.slice(0, 80), complete: i.complete,"
            " width: i.naturalWidth}));")
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name);")
        logs = driver.get_log("browser")
        title = driver.title
        if screenshot:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(screenshot))
        text = driver.find_element("tag name", "body").text
    finally:
        driver.quit()
    return {
        "title": title,
        "images": images,
        "errors": [entry for entry in logs if entry.get("level") == "SEVERE"],
        "external": [r for r in resources if r.startswith(("http://", "https://"))],
        "text": text,
    }
