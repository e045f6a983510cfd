"""An administrator runs a wave, imports the registry and onboards managers at a desk; a manager
then signs in with a code on a phone and chooses a password.

The live server is shared with the other browser tests: the wave 2026 is closed and opened
again (so it is open at the end, as the demo has it), the wave this test creates stays a draft
dated before the demo's waves, and only the district of the imported cooperatives (Đình Lập) is
onboarded, which leaves the demo accounts and the manager `giamdoc`'s cooperatives untouched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer, screenshot

DESK = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN"}
HEADER = "Mã số HTX,Tên HTX,Mã địa bàn,Lĩnh vực,Số thành viên,Người liên hệ,Điện thoại\n"
GOOD_ROWS = (
    "4999000001,HTX Chè Shan Tuyết Đình Lập,189,Nông nghiệp,34,Hoàng Văn Thắng,0912000001\n"
    "4999000002,HTX Quế Hồi Kiên Mộc,Đình Lập,Lâm nghiệp,21,Nông Thị Lan,0912000002\n"
)
BAD_ROWS = (
    "4999000001,HTX Chè Shan Tuyết Đình Lập,189,Nông nghiệp,34,Hoàng Văn Thắng,0912000001\n"
    "4999000002,HTX Quế Hồi Kiên Mộc,Đình Lập,Lâm ngiệp,21,Nông Thị Lan,0912000002\n"
    "4999000003,,999,Nông nghiệp,mười,Lý Văn Bình,0912000003\n"
)
NEW_PASSWORD = "nuong che tren doi cao"


def upload(page: Any, content: str) -> None:
    page.set_input_files(
        "#file",
        files=[{"name": "danh-sach-htx.csv", "mimeType": "text/csv", "buffer": content.encode()}],
    )
    page.click("#check-file")
    page.wait_for_load_state()


def test_an_administrator_runs_the_wave_imports_onboards_and_a_manager_signs_in_with_a_code(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    url = live_server.url
    desk = browser.new_context(**DESK, accept_downloads=True)
    page = desk.new_page()
    page.goto(f"{url}/signin")
    page.fill("#username", "admin")
    page.fill("#password", live_server.passwords["admin"])
    page.click("form[action='/signin'] button")
    page.wait_for_url(f"{url}/")
    page.click("a[href='/admin']")
    assert page.locator("h1").inner_text() == "Quản trị"

    # Waves: create a new one (it stays closed to answers), then close 2026 and open it again.
    page.click(".admin-nav a[href='/admin/waves']")
    page.click("a[href='/admin/waves/new']")
    page.fill("#key", "thu-nghiem")
    page.fill("#name", "Đợt thử nghiệm")
    page.fill("#opens_on", "2024-03-01")
    page.fill("#closes_on", "2024-06-30")
    assert page.locator("#version_digital").input_value() != ""
    page.click("form.admin-form button[type=submit]")
    page.wait_for_url(f"{url}/admin/waves")
    assert "Chưa mở" in page.locator("#wave-thu-nghiem").inner_text()
    page.locator("#wave-2026").get_by_role("button", name="Đóng…").click()
    assert "Đóng Đợt đánh giá 2026?" in page.locator("h1").inner_text()
    screenshot(page, "admin-wave-close")
    page.click("#confirm-close")
    page.wait_for_url(f"{url}/admin/waves")
    assert "Đã đóng" in page.locator("#wave-2026").inner_text()
    page.locator("#wave-2026").get_by_role("button", name="Mở lại").click()
    page.wait_for_url(f"{url}/admin/waves")
    assert "Đang mở" in page.locator("#wave-2026").inner_text()
    screenshot(page, "admin-waves")

    # Registry: a file with mistakes is refused with every problem listed; the fixed one imports.
    page.click(".admin-nav a[href='/admin/registry']")
    upload(page, HEADER + BAD_ROWS)
    problems = page.locator(".problem-table tbody tr")
    assert problems.count() == 4
    listed = [problems.nth(i).inner_text() for i in range(4)]
    assert listed[0].startswith("3\tLĩnh vực")
    assert listed[1].startswith("4\tTên HTX")
    # The unknown area code is named, whichever place column the resolver reports it under.
    assert any(item.startswith("4\t") and "999" in item for item in listed[2:])
    assert any(item.startswith("4\tSố thành viên") for item in listed[2:])
    assert page.locator("#confirm-import").count() == 0
    screenshot(page, "admin-registry-problems")
    # The fixed file names its area column in its own way: the column-mapping step asks.
    upload(page, HEADER.replace("Mã địa bàn", "Nơi đóng trụ sở") + GOOD_ROWS)
    assert page.locator("#mapping").count() == 1
    assert page.locator("#column_2").input_value() == ""
    assert "189" in page.locator("#mapping tbody tr").nth(2).inner_text()
    screenshot(page, "admin-registry-mapping")
    page.select_option("#column_2", "area")
    page.click("#apply-mapping")
    page.wait_for_load_state()
    assert page.locator("#inserts tbody tr").count() == 2
    screenshot(page, "admin-registry-check")
    page.click("#confirm-import")
    page.wait_for_url(re.compile(r".*/admin/registry\?inserted=2&updated=0&unchanged=0$"))
    assert "thêm 2 HTX" in page.locator("#import-done").inner_text()

    # Onboarding: the district of the new cooperatives gets accounts and codes.
    page.click("#import-done a")
    page.select_option("select[name=district]", label="Huyện Đình Lập")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r".*/admin/accounts/onboard\?district=\d+$"))
    page.click("#onboard")
    page.wait_for_load_state()
    slip = page.locator(".slip", has_text="HTX Chè Shan Tuyết Đình Lập")
    assert slip.locator(".slip-username").inner_text() == "htx4999000001"
    code = slip.locator(".slip-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    with page.expect_download() as download:
        page.click("#download-csv")
    saved = tmp_path / "codes.csv"
    download.value.save_as(saved)
    assert f"htx4999000001,{code}" in saved.read_text(encoding="utf-8-sig")
    screenshot(page, "admin-onboarding-codes")
    page.emulate_media(media="print")
    screenshot(page, "admin-onboarding-codes-print")
    desk.close()

    # The manager, on a phone: the code, then a password of their own, then home.
    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    mobile.goto(f"{url}/signin")
    mobile.click("a[href='/signin/code']")
    mobile.fill("#username", "htx4999000001")
    mobile.fill("#code", code.lower().replace("-", " "))
    screenshot(mobile, "manager-code-signin")
    mobile.click("form[action='/signin/code'] button")
    assert mobile.locator("h1").inner_text() == "Đặt mật khẩu của bạn"
    mobile.fill("#password", NEW_PASSWORD)
    mobile.fill("#confirm", NEW_PASSWORD)
    screenshot(mobile, "manager-set-password")
    mobile.click("form[action='/signin/code/password'] button")
    mobile.wait_for_url(f"{url}/")
    assert "Xin chào" in mobile.locator("h1").inner_text()
    assert "HTX Chè Shan Tuyết Đình Lập" in mobile.locator("main").inner_text()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(mobile, "manager-home-after-code")

    # The code is spent; the password now opens the account.
    mobile.click("summary")
    mobile.click("form[action='/signout'] button")
    mobile.goto(f"{url}/signin/code")
    mobile.fill("#username", "htx4999000001")
    mobile.fill("#code", code)
    mobile.click("form[action='/signin/code'] button")
    assert "đã được sử dụng" in mobile.locator(".form-error").inner_text()
    mobile.goto(f"{url}/signin")
    mobile.fill("#username", "htx4999000001")
    mobile.fill("#password", NEW_PASSWORD)
    mobile.click("form[action='/signin'] button")
    mobile.wait_for_url(f"{url}/")
    phone.close()
