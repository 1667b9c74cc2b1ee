"""Help > "How to read the results": the glossary, in a window a trustee can read and move
through from the keyboard (a list of terms, the explanations beside it, a Close button)."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..report.glossary import TERMS, Term

TITLE = "How to read the results"
INTRO = ("The app plays out thousands of possible futures for your organisation and counts how "
         "many go well or badly. These are the words it uses, in plain English. Choose a term "
         "on the left, or read straight through on the right.")


def glossary_html(terms: tuple[Term, ...] = TERMS) -> str:
    """Every term as a heading with its paragraph, each with an anchor named by its key."""
    parts = []
    for t in terms:
        parts.append(f'<h3><a name="{escape(t.key)}"></a>{escape(t.term)}</h3>'
                     f"<p><i>{escape(t.tooltip)}</i></p><p>{escape(t.paragraph)}</p>")
    return "".join(parts)


class HelpDialog(QDialog):
    """The glossary; Escape or Close closes it.  ``show_term(key)`` jumps to one term."""

    def __init__(self, parent: QWidget | None = None, term_key: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)

        intro = QLabel(INTRO, wordWrap=True)

        self.terms = QListWidget()
        self.terms.setAccessibleName("Terms")
        self.terms.setAccessibleDescription("Choose a term to read its explanation.")
        for t in TERMS:
            item = QListWidgetItem(t.term)
            item.setData(Qt.ItemDataRole.UserRole, t.key)
            item.setToolTip(t.tooltip)
            self.terms.addItem(item)
        # Wide enough for every heading (a cut-off term is no use), wrapped past a third of the
        # dialog; never a sideways scroll bar.
        widest = max(self.terms.fontMetrics().horizontalAdvance(t.term) for t in TERMS)
        self.terms.setWordWrap(True)
        self.terms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.terms.setFixedWidth(min(widest + 36, 300))

        self.text = QTextBrowser()
        self.text.setAccessibleName("Explanations")
        self.text.setOpenLinks(False)
        # Tab should move on to the Close button, not be swallowed by the text.
        self.text.setTabChangesFocus(True)
        self.text.document().setDefaultStyleSheet("h3 { margin-top: 14px; } p { margin-bottom: 6px; }")
        self.text.setHtml(glossary_html())
        self.text.setMinimumWidth(380)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName("Close")
        self.buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.addWidget(self.terms, 1)
        body.addWidget(self.text, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)

        self.terms.currentItemChanged.connect(self._term_chosen)
        self._fit_to_screen()
        self.terms.setFocus()
        if term_key is not None:
            self.show_term(term_key)
        else:
            self.terms.setCurrentRow(0)

    def show_term(self, key: str) -> None:
        """Select the term ``key`` and scroll its explanation into view."""
        for row in range(self.terms.count()):
            if self.terms.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.terms.setCurrentRow(row)
                return
        raise KeyError(f"no glossary term {key!r}")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Before the dialog is shown the text has no layout yet, so scrolling did nothing.
        self._term_chosen(self.terms.currentItem())

    def _term_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.text.scrollToAnchor(item.data(Qt.ItemDataRole.UserRole))

    def _fit_to_screen(self) -> None:
        """A comfortable reading size, never larger than the screen it opens on."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        width, height = 860, 600
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.9))
            height = min(height, int(available.height() * 0.85))
        self.resize(width, height)


def show_help(parent: QWidget | None = None, term_key: str | None = None) -> HelpDialog:
    """Open the glossary beside the window (not modal: the results stay usable) and return it."""
    dialog = HelpDialog(parent, term_key)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


__all__ = ["HelpDialog", "show_help", "glossary_html", "TITLE"]
