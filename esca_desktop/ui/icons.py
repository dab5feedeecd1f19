"""Status icons, drawn with QPainter so that they follow the palette and scale crisply."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from esca_desktop.forms.results import ResultStatus

COLOURS = {
    ResultStatus.OPEN: QColor("#9aa3ad"),
    ResultStatus.ANSWERED: QColor("#2f74c0"),
    ResultStatus.MET: QColor("#2e8b57"),
    ResultStatus.NOT_MET: QColor("#c0392b"),
    ResultStatus.NOT_APPLICABLE: QColor("#9aa3ad"),
}
PROBLEM_COLOUR = QColor("#e0a000")
FOLLOW_UP_COLOUR = QColor("#d35400")
COMMENT_COLOUR = QColor("#e0a000")  # a reviewer's comment still to be answered
RESOLVED_COMMENT_COLOUR = QColor("#7f8c8d")  # one the assessor marked resolved


def _paint(status: ResultStatus, problem: bool, follow_up: bool, comment: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    colour = COLOURS[status]
    circle = QRectF(s * 0.1, s * 0.1, s * 0.8, s * 0.8)
    pen = QPen(colour, max(1.0, s * 0.09))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if status is ResultStatus.OPEN:
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(circle)
    elif status is ResultStatus.NOT_APPLICABLE:
        p.setPen(pen)
        p.drawLine(QPointF(s * 0.25, s * 0.5), QPointF(s * 0.75, s * 0.5))
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(circle)
        mark = QPen(QColor("white"), max(1.2, s * 0.11))
        mark.setCapStyle(Qt.PenCapStyle.RoundCap)
        mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(mark)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if status is ResultStatus.MET:
            path = QPainterPath(QPointF(s * 0.3, s * 0.52))
            path.lineTo(s * 0.45, s * 0.66)
            path.lineTo(s * 0.71, s * 0.36)
            p.drawPath(path)
        elif status is ResultStatus.NOT_MET:
            p.drawLine(QPointF(s * 0.35, s * 0.35), QPointF(s * 0.65, s * 0.65))
            p.drawLine(QPointF(s * 0.65, s * 0.35), QPointF(s * 0.35, s * 0.65))
        else:  # answered
            p.drawEllipse(QRectF(s * 0.42, s * 0.42, s * 0.16, s * 0.16))
    badge = s * 0.38
    if problem:
        p.setPen(QPen(QColor("white"), max(1.0, s * 0.05)))
        p.setBrush(PROBLEM_COLOUR)
        p.drawEllipse(QRectF(s - badge, s - badge, badge, badge))
    if follow_up:
        p.setPen(QPen(QColor("white"), max(1.0, s * 0.05)))
        p.setBrush(FOLLOW_UP_COLOUR)
        flag = QPainterPath(QPointF(s - badge, 0))
        flag.lineTo(s, badge * 0.5)
        flag.lineTo(s - badge, badge)
        flag.closeSubpath()
        p.drawPath(flag)
    if comment:  # a speech bubble at the top left
        p.setPen(QPen(QColor("white"), max(1.0, s * 0.05)))
        p.setBrush(COMMENT_COLOUR if comment == "open" else RESOLVED_COMMENT_COLOUR)
        bubble = QPainterPath()
        bubble.addRoundedRect(QRectF(0, 0, badge * 1.5, badge * 1.1), badge * 0.3, badge * 0.3)
        tail = QPainterPath(QPointF(badge * 0.3, badge * 1.0))
        tail.lineTo(badge * 0.2, badge * 1.5)
        tail.lineTo(badge * 0.8, badge * 1.0)
        tail.closeSubpath()
        p.drawPath(bubble.united(tail))
    p.end()
    return pixmap


@cache
def status_icon(status: ResultStatus, problem: bool = False, follow_up: bool = False, comment: str = "") -> QIcon:
    """`comment`: "" none, "open" a reviewer's comment to answer, "resolved" one marked resolved."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_paint(status, problem, follow_up, comment, size))
    return icon
