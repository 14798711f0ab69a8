import time
from selenium.webdriver.common.by import By
from tests.browser.test_journey import fill_registration, submit
def test_debug(browser, live_server):
    browser.get(live_server + "/join")
    print(browser.find_element(By.CSS_SELECTOR, "main form").get_dom_attribute("hx-swap"))
    fill_registration(browser, confirm="zzzzzzzzzzzzzzzz")
    submit(browser)
    for i in range(5):
        time.sleep(0.3)
        print(browser.execute_script("const f=document.querySelector('main form'); return [scrollY, f.getBoundingClientRect().top, document.querySelector('.form-errors') && document.querySelector('.form-errors').getBoundingClientRect().top]"))
    print(browser.get_log("browser") if hasattr(browser, "get_log") else None)
