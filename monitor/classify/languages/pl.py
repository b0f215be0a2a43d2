"""Polish: every word and phrase the classifier knows in Polish."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="pl",
    name="Polish",
    terms={
        "instrument": ("przez", "za pomocą", "z użyciem"),
        "relative": (r"któr\w+",),
        "material": ("treści", "dane", "danych", "utwory", "pliki", "materiały"),
        "user_agent": ("umożliwia (?:ci|użytkownikom)", "możesz "),
        "rule": (
            r"musi\w*", "należy", r"zabronion\w+", r"oznacz\w+", r"odpowiedzialn\w+", r"wprowadza\w+ w błąd",
        ),
        "ai": (
            "(?-i:AI|SI)", r"(?-i:AI|SI)-\w+", r"sztuczn\w+ inteligencj\w+", r"uczeni\w+ maszynow\w+",
            r"model\w* językow\w+", r"generatywn\w+ model\w*", r"sieci neuronow\w+",
        ),
        "strong": (r"trenow\w+", r"wytrenow\w+", r"trening\w*", r"szkoleni\w+ model\w*", r"dostrajani\w+"),
        "weak": (
            r"rozw(?:ija|ój|oju|ijania|ijać|ijamy)\w*", r"ulepsz\w+", r"udoskonal\w+", r"doskonal\w+",
            r"popraw\w+", r"opracow\w+",
        ),
        "use": (r"wykorzyst\w+", r"używ\w+", r"użyt\w+", r"przetwarz\w+", r"udostępni\w+"),
        "subject": (
            "twoje?", "twoich", "twoimi", "dane", "danych", "treści", r"zdjęci\w*", "zdjęć", "wiadomości",
            "komentarze", "opinie", "opinii", "relacje", "nagrania", "rozmowy",
        ),
        "negation": ("nie", "nigdy", r"żadn\w+", "ani"),
        "conditional": ("jeśli", "jeżeli", "chyba że", "chcesz"),
        "not_only": ("nie tylko", "ale nie"),
        "prohibition": (
            r"zabronion\w+", r"zakazan\w+", r"zakaz\w*", r"niedozwolon\w+", "nie wolno",
            "nie (?:możesz|może|mogą|można|wolno)", r"bez (?:\w+ ){0,3}zgody",
        ),
        "scrape": (
            r"scrap\w+", r"pobiera\w+", r"ekstrakcj\w+", "(?:osoby|podmioty|strony) trzecie",
            r"zautomatyzowan\w+", "naszych (?:treści|usług|serwisów)",
        ),
        "optout": (
            r"sprzeciw\w*", r"zrezygnow\w+", r"rezygnacj\w+", "nie chcesz", r"wycofa\w+ zgod\w+", "opt-?out",
        ),
        "feature": (
            r"asystent\w*", "chatbot", r"funkcj\w+", r"narzędzi\w*", r"transkrypcj\w+", r"podsumow\w+",
            r"tłumacz\w+", r"rekomend\w+", r"generow\w+", r"przetwarz\w+", "notatki",
        ),
        "generated": (
            r"wygenerowan\w+ (?:przez|za pomocą) (?:AI|SI|sztuczn\w+ inteligencj\w+)", r"treści syntetyczn\w+",
            r"deepfake\w*",
        ),
        "effective": (
            "od dnia", "od", "począwszy od", "obowiązuje od", "wchodzi w życie(?: z dniem| dnia)?", "z dniem",
            "ze skutkiem od",
        ),
        "deadline": ("do dnia", "do", "najpóźniej(?: do)?", "przed"),
        "updated": ("ostatnia aktualizacja:?", "zaktualizowano:?", "data aktualizacji:?", "stan na:?"),
        "announce": ("dnia",),
    },
    months={
        "stycznia": 1, "styczeń": 1, "lutego": 2, "luty": 2, "marca": 3, "marzec": 3, "kwietnia": 4,
        "kwiecień": 4, "maja": 5, "maj": 5, "czerwca": 6, "czerwiec": 6, "lipca": 7, "lipiec": 7, "sierpnia": 8,
        "sierpień": 8, "września": 9, "wrzesień": 9, "października": 10, "październik": 10, "listopada": 11,
        "listopad": 11, "grudnia": 12, "grudzień": 12,
    },
    date_order="DMY",
    function_words=("i", "w", "z", "na", "do", "się", "nie", "że", "jest", "oraz", "dla", "twoje", "przez"),
    acronyms=("SI",),
    prefilter_stems=("uczeni", "trenow", "wygenerow", "sztuczn", "model", "neuron"),
    date_fillers=("w", "dnia"),
    update_stems=("zmieni",),
    optout_stop_words=("w", "przez", "wybierając", "wybierz", "twoje", "i", "otwórz"),
    clause_end_words=("jeśli", "jeżeli"),
    trailing_verbs=("wyłączyć",),
)
