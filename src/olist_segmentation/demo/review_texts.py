"""Review titles and messages written for this generator (none is taken from the dataset).

Messages hold the traps of the real comments: commas, double quotes and, through the joins,
CR/LF and LF line breaks inside quoted fields.
"""

from __future__ import annotations

TITLES = {
    "pos": (
        "Recomendo", "Excelente", "Muito bom", "Ótimo produto", "Amei", "Perfeito", "Nota 10",
        "Chegou rápido", "Super indico", "Top",
    ),
    "neu": ("Bom", "Razoável", "Ok", "Poderia ser melhor", "Mais ou menos", "Atendeu"),
    "neg": (
        "Péssimo", "Não recebi", "Produto errado", "Decepcionado", "Não recomendo",
        "Atraso na entrega", "Com defeito", "Ruim",
    ),
}  # fmt: skip
MESSAGES = {
    "pos": (
        "Chegou bem antes do prazo, produto de ótima qualidade.",
        "Adorei o produto, exatamente como na foto.",
        "Entrega rápida, recomendo a loja.",
        "Muito bom, superou minhas expectativas!",
        "Produto bem embalado e em perfeito estado.",
        "Tudo certo, comprarei novamente.",
        "Vendedor atencioso, produto conforme o anunciado.",
        "Gostei muito, o tamanho é ideal.",
        "Ótimo custo-benefício",
        "Recebi tudo certinho, obrigado!",
        'Minha filha amou, disse que é "o melhor presente".',
        "lindo",
    ),
    "neu": (
        "O produto é bom, mas a entrega demorou um pouco.",
        "Atendeu o esperado, nada de mais.",
        "A cor é um pouco diferente da foto, mas gostei.",
        "Veio sem manual, mas funciona.",
        "Embalagem simples, produto ok.",
        'Razoável pelo preço, o "acabamento" deixa a desejar.',
    ),
    "neg": (
        "Até agora não recebi o produto.",
        "Comprei dois itens e só recebi um.",
        "Produto veio com defeito, quero a troca.",
        'Na caixa estava escrito "original", mas parece falsificado.',
        "Péssimo atendimento, ninguém responde.",
        "Produto quebrado, muito decepcionado.",
        "A entrega atrasou mais de uma semana, absurdo.",
        "Não recomendo essa loja",
        "Paguei e o pedido foi cancelado sem explicação.",
        'O anúncio dizia "pronta entrega" e demorou um mês.',
    ),
}  # fmt: skip
# How two phrases of a message are joined: CR/LF and LF make multi-line quoted fields.
MESSAGE_JOINS = ("", " ", "\r\n", "\n", ". ")
MESSAGE_JOIN_WEIGHTS = (0.55, 0.10, 0.18, 0.07, 0.10)
