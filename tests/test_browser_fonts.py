"""Bold text is drawn in the page's own fonts.

gradio 6.31's default theme loads Source Sans Pro and IBM Plex Mono at weights 400 and 600, but the 600
("SemiBold") files in its wheel hold a few dozen glyphs (A and B among them, no lowercase letter): a bold
word was drawn in the system's fallback font but for its A and B ("ELBO" with a thin B). The app's
theme (`page.THEME`) loads the whole 700 ("Bold") files instead.

How it is told: a letter that a face lacks is drawn by the next font of the list. Text missing from
the face, followed by `serif` or by `monospace`, measures exactly as wide as in that font alone; text
drawn by the face differs from at least one of the two (its digits may be as wide as serif's).
"""
import pytest

WIDTHS_JS = """async ([family, weight, text]) => {
  const font = `${weight} 40px '${family}'`;
  await document.fonts.load(font, text);
  const ctx = document.createElement("canvas").getContext("2d");
  const width = (f) => { ctx.font = f; return ctx.measureText(text).width; };
  return ["serif", "monospace"].map(next => [width(`${font}, ${next}`), width(`${weight} 40px ${next}`)]);
}"""


@pytest.mark.parametrize("family", ["Source Sans Pro", "IBM Plex Mono"])
@pytest.mark.parametrize("weight", [400, 600, 700])
@pytest.mark.parametrize("text", ["abcdefghijklmnopqrstuvwxyz", "CDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"])
def test_the_page_draws_every_weight_it_uses_in_its_own_font(page, family, weight, text):
    pairs = page.evaluate(WIDTHS_JS, [family, weight, text])  # [[own then serif, serif], [own then mono, mono]]
    assert any(abs(own - alone) > 0.02 * alone for own, alone in pairs), \
        f"weight {weight} of {family} draws {text!r} in the fallback font: {pairs}"
