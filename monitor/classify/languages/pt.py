"""Portuguese: every word and phrase the classifier knows in Portuguese."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="pt",
    name="Portuguese",
    terms={
        "instrument": ("por", "pela", "pelo", "com", "através"),
        "relative": ("que", "os quais", "as quais"),
        "material": ("conteúdos?", "dados", "obras?", "ficheiros?", "arquivos?", "materiais?"),
        "user_agent": ("permite-lhe", "permite que (?:você|o utilizador)", "pode "),
        "rule": (r"dev\w+", r"proibid\w+", r"rotul\w+", r"responsab\w+", r"engan\w+"),
        "ai": (
            "(?-i:IA|AI)", "intelig[eê]ncia artificial", "aprendizagem (?:automática|profunda)",
            "aprendizado de máquina", "machine learning", "modelos? de (?:linguagem|IA)",
            "modelos? generativos?", "redes neurais",
        ),
        "strong": (r"trein\w+", r"retrein\w+", r"afin\w+", "ajuste fino"),
        "weak": (
            r"desenvolv\w+", "melhor(?:ar|ia|amento|aremos|ará|ando)", r"aperfeiço\w+", r"aprimor\w+",
            r"otimiz\w+", r"avali\w+",
        ),
        "use": (
            r"utiliz\w+", "us(?:ar|amos|aremos|ará|ado|ada|ados|adas)", r"trat\w+", r"process\w+",
            r"partilh\w+", r"compartilh\w+",
        ),
        "subject": (
            "suas?", "seus?", "tuas?", "teus?", "dados", "informações", "conteúdos?", "publicações", "fotos?",
            "fotografias", "mensagens", "comentários", "gravações", "conversas", "perguntas", "respostas",
            "resumos", "textos",
        ),
        "negation": ("não", "nunca", "nem", r"nenhum\w*", "jamais"),
        "conditional": ("se", "caso", "salvo", "quiser"),
        "not_only": ("não só", "não apenas", "mas não"),
        "prohibition": (
            r"proibid\w+", r"não (?:é|e) permitid\w+", "não (?:pode|poderá|deve|deverá|podem)",
            r"sem (?:\w+ ){0,3}autorização", "nenhum direito", r"vedad\w+",
        ),
        "scrape": (
            r"extra\w+", r"raspag\w+", r"scrap\w+", "terceiros", "robôs?", "meios automatizados",
            "(?:nossos?|nossas?) (?:conteúdos?|serviços?|plataforma)",
        ),
        "optout": (
            "opor-se", "opor", "oposição", "opõe", r"recus\w+", "não quiser", r"não deseja\w*",
            "retirar o (?:seu )?consentimento",
        ),
        "feature": (
            r"assistente\w*", "chatbot", r"funcionalidade\w*", "função", "ferramentas?", r"resum\w+",
            r"tradu\w+", r"recomend\w+", "gera(?:r|do|da|dos|das|mos)", r"process\w+", r"sugest\w+",
        ),
        "generated": (
            r"gerad\w+ (?:por|com) (?:a )?(?:IA|inteligência artificial)", "conteúdos? sintéticos?",
            "deepfakes?",
        ),
        "effective": (
            "a partir de", "a partir do", "a contar de", "com efeitos? (?:a partir de|desde)",
            "em vigor (?:a partir de|desde|em)", "entra(?:rá|m|rão)? em vigor (?:a|em)", "desde",
        ),
        "deadline": ("até", "até ao", "até o", "o mais tardar (?:em|a)", "antes de"),
        "updated": ("última atualização:?", "atualizad[oa] em:?", "última alteração:?"),
        "announce": ("em",),
    },
    months={
        "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
        "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    },
    date_order="DMY",
    function_words=("o", "a", "os", "as", "de", "e", "que", "para", "com", "não", "do", "da", "seus", "são"),
    acronyms=("IA",),
    prefilter_stems=("aprendiza", "gerad", "artificial", "model", "intellig", "train", "neural"),
    date_fillers=("de", "em", "o", "a"),
    update_stems=("atualiz",),
    optout_stop_words=(
        "em", "através", "pelo", "pela", "na", "no", "nas", "nos", "as", "os", "suas", "seus", "abre",
        "escolha", "a",
    ),
    clause_end_words=("se",),
    trailing_verbs=("opor-se", "desativar"),
)
