"""The three columns of a protected number: ciphertext, keyed hash, masked form."""

from tongxing import personal_data
from tongxing.registry.validators import mask_id_number, mask_phone


def id_number_columns(value: str) -> dict[str, str]:
    return {
        "id_number_ciphertext": personal_data.encrypt(value),
        "id_number_hash": personal_data.blind_index("id", value),
        "id_number_masked": mask_id_number(value) if value else "",
    }


def phone_columns(value: str) -> dict[str, str]:
    return {
        "phone_ciphertext": personal_data.encrypt(value),
        "phone_hash": personal_data.blind_index("phone", value),
        "phone_masked": mask_phone(value) if value else "",
    }


def id_number_hash(value: str) -> str:
    return personal_data.blind_index("id", value)


def phone_hash(value: str) -> str:
    return personal_data.blind_index("phone", value)
