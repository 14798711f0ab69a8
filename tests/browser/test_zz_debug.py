import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
@pytest.mark.parametrize("pad", ["0px", None])
def test_debug(browser, live_server, pad):
    browser.get(live_server + "/")
    if pad: browser.execute_script("document.documentElement.style.scrollPaddingBlockEnd=arguments[0]", pad)
    hidden = []
    for i in range(45):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        r = browser.execute_script("""const e=document.activeElement, r=e.getBoundingClientRect();
          const top=document.elementFromPoint(r.left+r.width/2, Math.min(r.bottom-2, innerHeight-1));
          return [e.textContent.trim().slice(0,20), Math.round(r.top), Math.round(r.bottom), e.contains(top)]""")
        if not r[3]: hidden.append(r)
    print(pad, hidden)
