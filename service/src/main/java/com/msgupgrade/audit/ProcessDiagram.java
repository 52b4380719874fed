package com.msgupgrade.audit;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnDiagram;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaIn;
import org.camunda.bpm.model.bpmn.instance.dc.Bounds;
import org.camunda.bpm.model.bpmn.instance.di.Waypoint;
import org.springframework.stereotype.Component;

/**
 * Draws a process model as SVG from its own diagram layout (the same file Cockpit shows), with the
 * elements a host passed through highlighted. Works from the audit trail alone, after the engine's
 * history is gone.
 */
@Component
public class ProcessDiagram {

    public BpmnModelInstance model(String processKey) {
        try (InputStream in = getClass().getResourceAsStream("/processes/" + processKey + ".bpmn")) {
            if (in == null) {
                throw new IllegalArgumentException("no process model " + processKey);
            }
            return Bpmn.readModelFromStream(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids of the elements of the model whose steps ran or whose tasks were decided. */
    public Set<String> passed(BpmnModelInstance model, Set<String> stepIds, Set<String> taskKeys) {
        Set<String> passed = model.getModelElementsByType(CallActivity.class).stream()
                .filter(call -> stepIds.contains(stepIdOf(call)))
                .map(BaseElement::getId)
                .collect(Collectors.toSet());
        model.getModelElementsByType(FlowNode.class).stream()
                .filter(node -> taskKeys.contains(node.getId()))
                .forEach(node -> passed.add(node.getId()));
        return passed;
    }

    static String stepIdOf(CallActivity call) {
        if (call.getExtensionElements() == null) {
            return null;
        }
        return call.getExtensionElements().getElementsQuery().filterByType(CamundaIn.class).list().stream()
                .filter(in -> "stepId".equals(in.getCamundaTarget()))
                .map(CamundaIn::getCamundaSourceExpression)
                .findFirst().orElse(null);
    }

    public String svg(BpmnModelInstance model, Set<String> passed) {
        double maxX = 0;
        double maxY = 0;
        StringBuilder shapes = new StringBuilder();
        for (BpmnShape shape : ofTheProcess(model, BpmnShape.class)) {
            Bounds b = shape.getBounds();
            maxX = Math.max(maxX, b.getX() + b.getWidth());
            maxY = Math.max(maxY, b.getY() + b.getHeight());
            BaseElement element = shape.getBpmnElement();
            String type = element.getElementType().getTypeName().toLowerCase(Locale.ROOT);
            boolean hit = passed.contains(element.getId());
            String fill = hit ? "#c8f0c8" : "#ffffff";
            String stroke = hit ? "#1a7f1a" : "#555555";
            if (type.endsWith("event")) {
                shapes.append(String.format(Locale.ROOT,
                        "<circle cx='%.0f' cy='%.0f' r='%.0f' fill='%s' stroke='%s' stroke-width='%s'/>",
                        b.getX() + b.getWidth() / 2, b.getY() + b.getHeight() / 2, b.getWidth() / 2, fill, stroke,
                        type.equals("endevent") ? "3" : "1.5"));
            } else if (type.endsWith("gateway")) {
                double cx = b.getX() + b.getWidth() / 2;
                double cy = b.getY() + b.getHeight() / 2;
                shapes.append(String.format(Locale.ROOT,
                        "<polygon points='%.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f' fill='%s' stroke='%s'/>",
                        cx, b.getY(), b.getX() + b.getWidth(), cy, cx, b.getY() + b.getHeight(), b.getX(), cy, fill,
                        stroke));
            } else {
                shapes.append(String.format(Locale.ROOT,
                        "<rect x='%.0f' y='%.0f' width='%.0f' height='%.0f' rx='8' fill='%s' stroke='%s'%s/>",
                        b.getX(), b.getY(), b.getWidth(), b.getHeight(), type.equals("subprocess") ? "none" : fill,
                        stroke, type.equals("subprocess") ? " stroke-dasharray='4 3'" : ""));
            }
            String name = element.getAttributeValue("name");
            if (name != null && !type.equals("subprocess")) {
                boolean inside = type.endsWith("task") || type.equals("callactivity");
                double tx = b.getX() + b.getWidth() / 2;
                double ty = inside ? b.getY() + b.getHeight() / 2 : b.getY() + b.getHeight() + 12;
                shapes.append(String.format(Locale.ROOT,
                        "<text x='%.0f' y='%.0f' font-size='9' text-anchor='middle'>%s</text>", tx, ty,
                        wrap(name, inside ? 20 : 24, tx)));
            }
        }
        StringBuilder edges = new StringBuilder();
        for (BpmnEdge edge : ofTheProcess(model, BpmnEdge.class)) {
            String points = edge.getWaypoints().stream()
                    .map(w -> String.format(Locale.ROOT, "%.0f,%.0f", w.getX(), w.getY()))
                    .collect(Collectors.joining(" "));
            for (Waypoint w : edge.getWaypoints()) {
                maxX = Math.max(maxX, w.getX());
                maxY = Math.max(maxY, w.getY());
            }
            edges.append("<polyline points='").append(points)
                    .append("' fill='none' stroke='#888' marker-end='url(#arrow)'/>");
        }
        return String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %.0f %.0f'"
                + " width='100%%' font-family='sans-serif'><defs><marker id='arrow' markerWidth='8' markerHeight='8'"
                + " refX='7' refY='4' orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#888'/></marker></defs>%s%s</svg>",
                maxX + 40, maxY + 40, edges, shapes);
    }

    /**
     * The shapes or edges of the process's own diagram: a collapsed sub-process has a diagram of its own (what
     * Cockpit shows when one opens it), whose coordinates are not the process's.
     */
    private static <T> List<T> ofTheProcess(BpmnModelInstance model, Class<T> type) {
        return model.getModelElementsByType(BpmnDiagram.class).stream()
                .filter(diagram -> diagram.getBpmnPlane().getBpmnElement() instanceof Process)
                .flatMap(diagram -> diagram.getBpmnPlane().getDiagramElements().stream())
                .filter(type::isInstance).map(type::cast)
                .toList();
    }

    private static String wrap(String text, int width, double x) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        int lines = 0;
        for (String word : text.split(" ")) {
            if (line.length() + word.length() > width && line.length() > 0) {
                out.append(tspan(line.toString(), x, lines++ == 0 ? "-0.6em" : "1.1em"));
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        out.append(tspan(line.toString(), x, lines == 0 ? "0" : "1.1em"));
        return out.toString();
    }

    private static String tspan(String text, double x, String dy) {
        return String.format(Locale.ROOT, "<tspan x='%.0f' dy='%s'>%s</tspan>", x, dy, htmlEscape(text));
    }
}
