"""Field encryption (AES-GCM) and the keyed person hash."""
import pytest

from webapp.privacy.infrastructure.crypto import (
    DecryptionError,
    decrypt,
    derive_key,
    encrypt,
    normalise_id_number,
    person_key,
)

KEY = derive_key("a-test-secret")


def test_derive_key_is_32_bytes_and_stable():
    assert len(KEY) == 32
    assert derive_key("a-test-secret") == KEY
    assert derive_key("another-secret") != KEY


def test_encrypt_round_trips_chinese_text():
    assert decrypt(encrypt("王秀英，梁村镇前王村", KEY), KEY) == "王秀英，梁村镇前王村"


def test_encrypt_uses_a_fresh_nonce_each_time():
    assert encrypt("13812345678", KEY) != encrypt("13812345678", KEY)


def test_decrypt_refuses_tampered_value():
    token = encrypt("13812345678", KEY)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        decrypt(tampered, KEY)


def test_decrypt_refuses_other_key():
    with pytest.raises(DecryptionError):
        decrypt(encrypt("secret", KEY), derive_key("wrong"))


def test_person_key_ignores_spacing_width_and_case():
    plain = person_key("37152619800305123x", "k")
    assert person_key(" 371526 19800305 123X ", "k") == plain
    assert person_key("３７１５２６１９８００３０５１２３Ｘ", "k") == plain
    assert normalise_id_number("37152619800305123x") == "37152619800305123X"


def test_person_key_depends_on_the_key():
    assert person_key("37152619800305123X", "k1") != person_key("37152619800305123X", "k2")
    assert "37152619800305123X" not in person_key("37152619800305123X", "k1")
