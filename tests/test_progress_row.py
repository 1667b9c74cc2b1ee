"""The status, the progress bar and Cancel share one row above the key figures: on a
1024-pixel screen the status took the room and the bar's own words ("Computing... 28%")
were cut over two lines inside it."""
from PySide6.QtWidgets import QApplication


def test_the_progress_bar_keeps_room_for_its_words_on_a_small_screen(qtbot, window):
    window.resize(1024, 700)
    QApplication.processEvents()
    panel = window.results_panel
    panel.set_status("First estimate from 2,000 futures; refining to 400,000...")
    panel.show_busy(True)
    panel.set_progress(28, 100)
    QApplication.processEvents()
    bar = panel.progress
    words = bar.fontMetrics().horizontalAdvance(bar.format().replace("%p", "100"))
    assert bar.width() >= words, (bar.width(), words)
    assert panel.cancel_button.geometry().right() <= panel.width()
    panel.show_busy(False)
