"""Field labels in several languages and scripts (documents print them bilingually)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {"surname": "Surname", "given_names": "Given names", "nationality": "Nationality",
           "date_of_birth": "Date of birth", "sex": "Sex", "date_of_expiry": "Date of expiry",
           "document_number": "Document No.", "date_of_issue": "Date of issue",
           "place_of_birth": "Place of birth", "passport": "PASSPORT", "identity_card": "IDENTITY CARD",
           "travel_document": "TRAVEL DOCUMENT", "signature": "Signature", "personal_number": "Personal No."},
    "fr": {"surname": "Nom", "given_names": "Prénoms", "nationality": "Nationalité",
           "date_of_birth": "Date de naissance", "sex": "Sexe", "date_of_expiry": "Date d'expiration",
           "document_number": "N° du document", "date_of_issue": "Date de délivrance",
           "place_of_birth": "Lieu de naissance", "passport": "PASSEPORT", "identity_card": "CARTE D'IDENTITÉ",
           "travel_document": "TITRE DE VOYAGE", "signature": "Signature", "personal_number": "N° personnel"},
    "es": {"surname": "Apellidos", "given_names": "Nombre", "nationality": "Nacionalidad",
           "date_of_birth": "Fecha de nacimiento", "sex": "Sexo", "date_of_expiry": "Fecha de caducidad",
           "document_number": "Nº de documento", "date_of_issue": "Fecha de expedición",
           "place_of_birth": "Lugar de nacimiento", "passport": "PASAPORTE", "identity_card": "DOCUMENTO DE IDENTIDAD",
           "travel_document": "DOCUMENTO DE VIAJE", "signature": "Firma", "personal_number": "Nº personal"},
    "de": {"surname": "Name", "given_names": "Vornamen", "nationality": "Staatsangehörigkeit",
           "date_of_birth": "Geburtstag", "sex": "Geschlecht", "date_of_expiry": "Gültig bis",
           "document_number": "Ausweisnummer", "date_of_issue": "Ausstellungsdatum",
           "place_of_birth": "Geburtsort", "passport": "REISEPASS", "identity_card": "PERSONALAUSWEIS",
           "travel_document": "REISEDOKUMENT", "signature": "Unterschrift", "personal_number": "Personennummer"},
    "pl": {"surname": "Nazwisko", "given_names": "Imiona", "nationality": "Obywatelstwo",
           "date_of_birth": "Data urodzenia", "sex": "Płeć", "date_of_expiry": "Termin ważności",
           "document_number": "Numer dokumentu", "date_of_issue": "Data wydania",
           "place_of_birth": "Miejsce urodzenia", "passport": "PASZPORT", "identity_card": "DOWÓD OSOBISTY",
           "travel_document": "DOKUMENT PODRÓŻY", "signature": "Podpis", "personal_number": "Numer PESEL"},
    "el": {"surname": "Επώνυμο", "given_names": "Όνομα", "nationality": "Ιθαγένεια",
           "date_of_birth": "Ημερομηνία γέννησης", "sex": "Φύλο", "date_of_expiry": "Ισχύει έως",
           "document_number": "Αριθμός", "date_of_issue": "Ημερομηνία έκδοσης",
           "place_of_birth": "Τόπος γέννησης", "passport": "ΔΙΑΒΑΤΗΡΙΟ", "identity_card": "ΔΕΛΤΙΟ ΤΑΥΤΟΤΗΤΑΣ",
           "travel_document": "ΤΑΞΙΔΙΩΤΙΚΟ ΕΓΓΡΑΦΟ", "signature": "Υπογραφή", "personal_number": "Προσωπικός αριθμός"},
    "ru": {"surname": "Фамилия", "given_names": "Имя", "nationality": "Гражданство",
           "date_of_birth": "Дата рождения", "sex": "Пол", "date_of_expiry": "Действителен до",
           "document_number": "Номер", "date_of_issue": "Дата выдачи",
           "place_of_birth": "Место рождения", "passport": "ПАСПОРТ", "identity_card": "УДОСТОВЕРЕНИЕ",
           "travel_document": "ПРОЕЗДНОЙ ДОКУМЕНТ", "signature": "Подпись", "personal_number": "Личный номер"},
    "tr": {"surname": "Soyadı", "given_names": "Adı", "nationality": "Uyruğu",
           "date_of_birth": "Doğum tarihi", "sex": "Cinsiyeti", "date_of_expiry": "Son geçerlilik",
           "document_number": "Seri No", "date_of_issue": "Veriliş tarihi",
           "place_of_birth": "Doğum yeri", "passport": "PASAPORT", "identity_card": "KİMLİK KARTI",
           "travel_document": "SEYAHAT BELGESİ", "signature": "İmza", "personal_number": "Kimlik No"},
    "it": {"surname": "Cognome", "given_names": "Nome", "nationality": "Cittadinanza",
           "date_of_birth": "Data di nascita", "sex": "Sesso", "date_of_expiry": "Scadenza",
           "document_number": "N. documento", "date_of_issue": "Data di rilascio",
           "place_of_birth": "Luogo di nascita", "passport": "PASSAPORTO", "identity_card": "CARTA D'IDENTITÀ",
           "travel_document": "DOCUMENTO DI VIAGGIO", "signature": "Firma", "personal_number": "Codice fiscale"},
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    "fr": ("JANV", "FÉVR", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"),
    "es": ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"),
    "de": ("JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
}


def label(key: str, langs: tuple[str, ...]) -> str:
    """'Surname / Nom' style bilingual label."""
    return " / ".join(LABELS[lang][key] for lang in langs)
