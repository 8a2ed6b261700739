"""Look at a page as a user would: log in (optional) and save a screenshot, in headless Chromium.

    .venv/bin/python scripts/screenshot.py URL OUT.png [--user NAME --password PW] [--width 414 --height 900]
        [--full]

Uses Debian's chromium and chromedriver (installed by `make`)."""

from __future__ import annotations

import argparse
import time
from urllib.parse import urljoin, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def driver(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--user")
    parser.add_argument("--password", default="wijkwerk-demo")
    parser.add_argument("--width", type=int, default=414)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true", help="capture the whole page height")
    parser.add_argument("--wait", type=float, default=1.0, help="seconds to wait for scripts and maps")
    args = parser.parse_args()
    browser = driver(args.width, args.height)
    try:
        if args.user:
            origin = "{0.scheme}://{0.netloc}".format(urlparse(args.url))
            browser.get(urljoin(origin, "/login/"))
            browser.find_element(By.NAME, "username").send_keys(args.user)
            browser.find_element(By.NAME, "password").send_keys(args.password)
            browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            # Wait for the login to complete before opening the page, or the page sees an anonymous user.
            WebDriverWait(browser, 15).until(lambda b: "/login/" not in b.current_url)
        browser.get(args.url)
        time.sleep(args.wait)
        if args.full:
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(args.width, max(args.height, height))
            time.sleep(0.3)
        browser.save_screenshot(args.out)
        print(f"{args.out}: {browser.title}")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
