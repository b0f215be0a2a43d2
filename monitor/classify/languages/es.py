"""Spanish: every word and phrase the classifier knows in Spanish."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="es",
    name="Spanish",
    terms={
        "instrument": ("por", "con", "mediante"),
        "relative": ("que", "los cuales", "las cuales"),
        "material": ("contenidos?", "datos", "obras?", "archivos?", "materiales?"),
        "user_agent": (r"te permite\w*", r"le permite\w*", "puedes "),
        "rule": (r"deb\w+", r"prohibid\w+", r"etiquet\w+", r"responsab\w+", r"engañ\w+"),
        "ai": (
            "(?-i:IA|AI)", "inteligencia artificial", "aprendizaje (?:automático|profundo|autom[aá]tico)",
            "modelos? de (?:lenguaje|IA|inteligencia)", "modelos? (?:generativos?|de reconocimiento)",
            "redes neuronales",
        ),
        "strong": (r"entren\w+", r"reentren\w+", "ajuste fino", r"afin\w+"),
        "weak": (
            r"desarroll\w+", "mejor(?:ar|a|amos|ará|aremos|ando|as)", r"perfeccion\w+", r"optimiz\w+",
            r"evalu\w+",
        ),
        "use": (
            r"utiliz\w+", "us(?:ar|amos|aremos|ará|ado|ada|ados|adas)", r"emple\w+", r"trat\w+", r"proces\w+",
            r"compart\w+",
        ),
        "subject": (
            "tus?", "sus?", "datos", "información", "contenidos?", "publicaciones", "fotos?", "fotografías",
            "mensajes", "comentarios", "grabaciones", "conversaciones", "transcripciones", "recetas",
            "plantillas", "reseñas",
        ),
        "negation": ("no", "nunca", "ni", "ningún", "ninguna", "jamás"),
        "conditional": ("si", "salvo", "quieres", r"desea\w*"),
        "not_only": ("no solo", "no sólo", "pero no"),
        "prohibition": (
            r"prohibid\w+", "prohíbe", r"no (?:está|esta) permitid\w+",
            "no (?:puedes|puede|podrá|podrás|debe|deberá|debes)", r"queda prohibid\w+",
            r"sin (?:\w+ ){0,3}autorización", "ningún derecho",
        ),
        "scrape": (
            r"extra\w+", r"rastre\w+", r"scrap\w+", "terceros", "minería de (?:textos y )?datos", "robots?",
            "medios automatizados", "nuestros? (?:contenidos?|servicios?|plataforma)",
        ),
        "optout": (
            "oponerte", "oponerse", r"op[oó]n\w*", "oposición", r"rechaz\w+", "no quieres", r"no desea\w*",
            "retirar tu consentimiento",
        ),
        "feature": (
            r"asistente\w*", "chatbot", r"funci[oó]n\w*", "herramientas?", r"resum\w+", r"traduc\w+",
            r"recomend\w+", "genera(?:r|mos|do|da|dos|das|n)", r"proces\w+", "sugerencias?",
        ),
        "generated": (
            r"generad\w+ (?:por|con) (?:la )?(?:IA|inteligencia artificial)", "contenidos? sintéticos?",
            "deepfakes?",
        ),
        "effective": (
            "a partir del?", "desde el", "con efecto (?:desde el|a partir del)",
            "en vigor (?:desde el|a partir del|el)", "entra(?:rá|n|rán)? en vigor el", "vigente desde el",
            "fecha de entrada en vigor:?",
        ),
        "deadline": ("hasta el", "hasta", "a más tardar el", "antes del?", "como máximo el"),
        "updated": ("última actualización:?", "actualizad[oa] el", "actualizad[oa]:?", "última modificación:?"),
        "announce": ("el",),
    },
    months={
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
        "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    },
    date_order="DMY",
    function_words=("el", "la", "los", "las", "de", "y", "que", "en", "para", "con", "por", "tus", "nuestros"),
    acronyms=("IA",),
    prefilter_stems=("aprendiza", "entren", "artificial", "model", "intellig", "generat", "neuron"),
    date_fillers=("de", "del", "el", "la"),
    update_stems=("actualiz", "modif"),
    optout_stop_words=(
        "desde", "en", "a", "través", "través", "de", "tus", "tu", "la", "las", "los", "el", "al", "abre",
        "selecciona",
    ),
    clause_end_words=("si",),
    trailing_verbs=("oponerte", "desactivar"),
)
