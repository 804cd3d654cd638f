"""Password rules show before the first try, and their errors are in the page's language."""

from django.test import Client

from conftest import CITY, client_for
from tongxing.accounts.models import User

RULES_EN = (
    "Your password can’t be too similar to your other personal information. "
    "Your password must contain at least 8 characters. "
    "Your password can’t be a commonly used password. "
    "Your password can’t be entirely numeric."
)
RULES_ZH_HANS = (
    "你的密码不能与你的其他个人信息太相似。 你的密码必须包含至少 8 个字符。 "
    "你的密码不能是一个常见密码。 你的密码不能全都是数字。"
)
ERRORS_ZH_HANS = [
    "密码长度太短。密码必须包含至少 8 个字符。",
    "这个密码太常见了。",
    "密码只包含数字。",
]
ERRORS_ZH_HANT = ["密碼太短，必須至少 8 個字元。", "這個密碼太常見了。", "這個密碼只包含數字。"]
SIMPLIFIED = {"Accept-Language": "zh-CN"}
TRADITIONAL = {"Accept-Language": "zh-TW"}


def sign_up(client: Client, password: str):
    return client.post(
        "/accounts/register/",
        {"username": "lin", "password": password, "password_again": password},
    )


def test_the_sign_up_page_shows_the_rules_before_the_first_try(db):
    form = Client().get("/accounts/register/").context["form"]
    assert form.fields["password"].help_text == RULES_EN


def test_the_new_account_form_shows_the_rules_before_the_first_try(alice):
    form = client_for(alice).get("/accounts/users/new/").context["form"]
    assert form.fields["password"].help_text == (
        f"{RULES_EN} Leave empty to create the account without a password."
    )


def test_the_rules_are_in_the_pages_language(db):
    response = Client(headers=SIMPLIFIED).get("/accounts/register/")
    assert response.context["form"].fields["password"].help_text == RULES_ZH_HANS
    assert f"<small>{RULES_ZH_HANS}</small>" in response.content.decode()


def test_a_refused_password_is_told_in_simplified_chinese(db):
    response = sign_up(Client(headers=SIMPLIFIED), "1234")
    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ERRORS_ZH_HANS
    assert not User.objects.exists()


def test_a_refused_password_is_told_in_traditional_chinese(db):
    response = sign_up(Client(headers=TRADITIONAL), "1234")
    assert response.context["form"].errors["password"] == ERRORS_ZH_HANT
    assert not User.objects.exists()


def test_a_refused_password_is_told_in_english(db):
    response = sign_up(Client(), "1234")
    assert response.context["form"].errors["password"] == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]


def test_the_new_account_form_refuses_a_password_in_the_pages_language(alice):
    client = client_for(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = client.post(
        "/accounts/users/new/",
        {"username": "wang", "role": "city_admin", "region": CITY, "password": "1234"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ERRORS_ZH_HANS
    assert not User.objects.filter(username="wang").exists()


def test_the_api_refuses_a_password_in_the_callers_language(db):
    response = Client(headers=SIMPLIFIED).post(
        "/api/v1/accounts/register",
        {"username": "lin", "password": "1234"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "password", "message": message} for message in ERRORS_ZH_HANS
    ]
    assert not User.objects.exists()
