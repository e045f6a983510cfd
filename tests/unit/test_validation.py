"""Form input through schemas: each wrong field gets one message the reader can act on."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, Field

from app.accounts.schemas import NewAccountForm
from app.advice.schemas import FollowUpForm, NoteForm
from app.errors import Invalid
from app.responses.schemas import NewWaveForm
from app.targeting.schemas import TargetingQuery
from app.validation import parse
from app.web.i18n import translate


def problems(schema: type[BaseModel], data: dict[str, object], **context: object) -> dict:
    with pytest.raises(Invalid) as refused:
        parse(schema, data, **context)
    return {field: translate(m, "vi") for field, m in refused.value.fields.items()}


class Counted(BaseModel):
    members: int = Field(ge=1)
    label: str = Field(max_length=1200)


def test_pydantics_own_errors__read_as_portal_messages_with_numbers_the_readers_way() -> None:
    assert problems(Counted, {"members": "mười", "label": "x" * 1201}) == {
        "members": "Vui lòng nhập một số nguyên.",
        "label": "Dài tối đa 1.200 ký tự.",
    }
    assert problems(Counted, {"members": "0", "label": ""}) == {
        "members": "Giá trị phải từ 1 trở lên."
    }
    assert problems(Counted, {}) == {
        "members": "Vui lòng nhập thông tin này.",
        "label": "Vui lòng nhập thông tin này.",
    }


def test_the_first_problem__is_the_errors_own_message() -> None:
    with pytest.raises(Invalid) as refused:
        parse(NoteForm, {"body": "  "})
    assert translate(refused.value.message, "en") == "Please write the note."


def test_valid_input__is_tidied() -> None:
    assert parse(NoteForm, {"body": "  Gọi lại tuần sau \n"}).body == "Gọi lại tuần sau"


def test_a_follow_up__needs_a_real_date_not_in_the_past() -> None:
    today = dt.date(2026, 12, 3)
    assert problems(FollowUpForm, {"description": "", "due_on": "03/12/2026"}, today=today) == {
        "description": "Vui lòng nhập việc cần theo dõi.",
        "due_on": "Ngày không hợp lệ. Vui lòng chọn ngày theo dạng ngày/tháng/năm.",
    }
    assert problems(FollowUpForm, {"description": "Gọi", "due_on": "2026-12-02"}, today=today) == {
        "due_on": "Ngày theo dõi không được ở trong quá khứ."
    }
    planned = parse(FollowUpForm, {"description": "Gọi", "due_on": "2026-12-03"}, today=today)
    assert planned.due_on == today


def test_a_new_wave__closes_after_it_opens_and_asks_something() -> None:
    assert problems(
        NewWaveForm,
        {"key": "2027 ", "name": "Đợt 2027", "opens_on": "2027-03-01", "closes_on": "2027-02-01"},
    ) == {
        "closes_on": "Ngày kết thúc phải sau ngày bắt đầu.",
        "versions": "Vui lòng nhập thông tin này.",
    }
    assert problems(NewWaveForm, {"key": "đợt mới", "name": " ", "versions": {}}) == {
        "key": "Mã đợt gồm 1–32 chữ cái không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang "
        "(ví dụ 2027).",
        "name": "Vui lòng nhập tên đợt.",
        "versions": "Hãy chọn ít nhất một bộ câu hỏi.",
    }
    wave = parse(
        NewWaveForm,
        {"key": " 2027", "name": "Đợt 2027", "opens_on": "", "versions": {"digital": 1}},
    )
    assert (wave.key, wave.opens_on, wave.closes_on) == ("2027", None, None)


def test_a_new_account__links_cooperatives_to_managers_and_areas_to_advisors_only() -> None:
    assert problems(
        NewAccountForm,
        {"role": "advisor", "full_name": "", "username": "Cán bộ", "cooperatives": "4900000001"},
    ) == {
        "full_name": "Vui lòng nhập họ và tên.",
        "username": "Tên đăng nhập gồm 3–100 chữ thường không dấu, số, dấu chấm, gạch dưới "
        "hoặc gạch ngang.",
        "cooperatives": "Chỉ tài khoản giám đốc HTX mới gắn với hợp tác xã.",
    }
    assert problems(NewAccountForm, {"role": "chief", "full_name": "A", "username": "abc"}) == {
        "role": "Vai trò không hợp lệ."
    }
    form = parse(
        NewAccountForm,
        {
            "role": "manager",
            "full_name": " Bà Lan ",
            "username": " Lan.HTX ",
            "cooperatives": "1, 2;1",
        },
    )
    assert (form.full_name, form.username, form.cooperatives) == ("Bà Lan", "lan.htx", ("1", "2"))


def test_a_targeting_query__reads_numbers_the_vietnamese_way_and_defaults_empty_fields() -> None:
    query = parse(
        TargetingQuery, {"threshold": "37,5", "stars": "", "district": "7"}, districts={7}
    )
    assert (query.threshold, query.stars, query.district, query.sector) == (37.5, 3, 7, None)
    assert problems(
        TargetingQuery,
        {"threshold": "101", "stars": "6", "district": "8", "sector": "mining"},
        districts={7},
    ) == {
        "threshold": "Ngưỡng là một số từ 0 đến 100.",
        "stars": "Số sao từ 1 đến 5.",
        "district": "Địa bàn không hợp lệ.",
        "sector": "Lĩnh vực không hợp lệ.",
    }
