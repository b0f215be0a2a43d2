"""English: every word and phrase the classifier knows in English."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="en",
    name="English",
    terms={
        "instrument": ("by", "with", "using", "via", "through"),
        "relative": ("that", "which", "we", "are", "is", "being", "were"),
        "material": ("content", "contents", "materials?", "works?", "files?", "data", "outputs?"),
        "user_agent": (
            "(?:allows?|enables?|lets?|permits?|helps?) you to", r"provide you with (?:\w+ ){0,4}to",
            "you (?:can|may) (?:choose to )?", "at your (?:request|direction)",
        ),
        "rule": (
            "must", "should", "required?", r"prohibit\w*", "not allowed", r"disclos\w+", r"label\w*",
            r"responsib\w+", r"monetiz\w+", r"mislead\w*", r"decepti\w+", r"violat\w+", r"remov\w+", "spam",
            "may not", r"impersonat\w+",
        ),
        "ai": (
            r"(?-i:AI|A\.I\.|GenAI|LLMs?|ML)", r"(?-i:AI)-\w+", "artificial[- ]intelligence",
            "machine[- ]learning", "deep[- ]learning", "(?:large[- ])?language[- ]models?",
            "foundation models?", "neural networks?", r"generative (?:models?|systems?|technolog\w+)",
            "(?:speech|voice|image|handwriting)[- ]recognition models?", "chatbots?",
        ),
        "strong": ("(?<!en )train(?:s|ed|ing)?", r"(?:re|pre)-?train\w*", r"fine-?tun\w*", "tuning"),
        "weak": (r"develop\w*", r"improv\w+", r"enhanc\w+", "build(?:s|ing)?", r"refin\w+", r"evaluat\w+"),
        "use": (
            "use[sd]?", "using", r"process\w*", r"collect\w*", "share[sd]?", "disclose[sd]?", "license[sd]?",
            "sell",
        ),
        "subject": (
            "your", "personal (?:data|information)",
            "(?:user|customer|member|service generated) (?:data|content)", "data", "information", "content",
            "posts?", "photos?", "messages?", "conversations?", "recordings?", r"transcri\w+", "comments?",
            "reviews?", "feedback", "inputs?", "outputs?", "prompts?", "chats?", "answers?",
        ),
        "negation": ("not", "never", "no", "neither", "nor", r"\w+n't", "cannot"),
        "conditional": ("if", "unless", "whether", "should you", "prefer"),
        "not_only": ("not only", "not just", "but not", "not limited"),
        "prohibition": (
            "(?:you|users?|third[- ]part(?:y|ies)|customers?|licensees?|developers?|members?|partners?|"
            r"visitors?)\s+(?:may|shall|must|will|can|should|are)\s*(?:not|never)",
            r"(?:you|users?)\s+(?:can't|cannot|won't|mustn't)", "agrees? not to", "undertakes? not to",
            r"prohibit\w*", r"forbid\w*", "not (?:be )?(?:permitted|allowed|authori[sz]ed)", "no right",
            r"without (?:\w+ ){0,3}(?:permission|consent|authori[sz]ation)", r"need (?:\w+ ){0,2}permission",
            r"requires? (?:\w+ ){0,2}permission", "(?-i:Do not|Don't)", "(?-i:NoAI)", "restricted",
            "not to use",
        ),
        "scrape": (
            r"scrap\w+", r"crawl\w*", r"spider\w*", r"harvest\w*", "(?:data|text)[- ]mining", "data mine",
            "mine", r"extract\w*", "robots?", "bots?", "automated (?:means|systems?|tools?|software)",
            "third[- ]part(?:y|ies)", "our (?:content|services?|site|website|platform|materials?)", "plucked",
            "datasets?",
        ),
        "optout": (
            "opt(?:-| )?out", "object", "objection", "right to object", "withdraw (?:your )?consent",
            "(?:if|should) you (?:would|'d)? ?(?:prefer|rather) not", "do(?:n't| not) want", "choose not",
            r"turn off (?:\w+ ){0,3}training",
        ),
        "feature": (
            "assistants?", "chatbots?", "chat ?bot", "copilot", "(?:AI|artificial intelligence)[- ]powered",
            "powered by", "features?", "tools?", r"functionalit\w+", "OCR", r"summar\w+", r"translat\w+",
            r"recommend\w*", "generat(?:es?|ed|ing)", r"process\w*", "agent",
        ),
        "generated": (
            r"(?:AI|A\.I\.)[- ]generated",
            r"generated (?:or \w+ )?(?:by|with|using) (?:the use of )?(?:AI|artificial intelligence|gene"
            "rative)",
            "synthetic (?:media|content|voices?|images?)", "deep ?fakes?", "manipulated media",
            "(?:AI|artificial intelligence) to (?:copy|imitate|mimic|churn)", "use of AI is disclosed",
            "AI-assisted content",
        ),
        "effective": (
            "from", "as of", "as from", "starting(?: on| from)?", "beginning(?: on)?",
            "effective(?: date)?(?: as of| from| on)?:?", "effective date:?", "take[s]? effect(?: on)?",
            "takes? effect as of", "in effect (?:from|as of|on)", "come into (?:force|effect)(?: on)?",
            "go(?:es)? into effect(?: on)?", "(?:starting|beginning) (?:on|from)",
        ),
        "deadline": (
            "until", "till", "by", "before", "no later than", "not later than", "up to", "through",
            "deadline:?", "prior to",
        ),
        "updated": (
            "(?:last )?(?:updated|modified|revised)(?: on| as of)?:?", "last (?:update|revision):?", "updated:",
            "date of last revision:?", "version date:?",
        ),
        "announce": ("on",),
    },
    months={
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    },
    date_order="MDY",
    function_words=("the", "and", "of", "to", "you", "we", "our", "with", "is", "are", "for", "this", "that"),
    acronyms=("AI", "LLMs?", "ML", "GenAI"),
    prefilter_stems=(
        "intellig", "learning", "model", "train", "fine-tun", "finetun", "tuning", "generat", "chatbot",
        "deepfake", "neural", "artificial",
    ),
    date_fillers=("the", "on"),
    update_stems=("updat", "chang", "amend", "revis", "modif"),
    optout_stop_words=(
        "in", "under", "at", "through", "from", "your", "the", "my", "go", "to", "open", "choose", "select",
        "via",
    ),
    clause_end_words=("if", "then", "unless", "at any time"),
    trailing_verbs=(),
)
