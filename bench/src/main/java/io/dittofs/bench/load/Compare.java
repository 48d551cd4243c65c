package io.dittofs.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * Side-by-side report of {@link NfsLoad} JSON files: the first file is the server under test, the
 * others peers. Prints a Markdown table (headline figure per workload, ratio first/peer, p99
 * latency, server CPU per operation, server RSS peak and after each workload, when recorded) and
 * writes PNG bar charts with java.awt in headless mode.
 *
 * <pre>java -cp benchmarks.jar io.dittofs.bench.load.Compare --out DIR dittofs.json ganesha-vfs.json [...]</pre>
 */
public final class Compare {

    private static final Color[] COLORS = {new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0x38a169), new Color(0x805ad5)};

    record Row(String workload, String metric, double value, double p99us, double cpuUsPerOp, Rss rss, String failure) {
    }

    /** Server RSS in MiB (NaN when not recorded): peak while the workload ran, its file-backed part, after it, VmHWM. */
    record Rss(double peak, double peakFile, double after, double hwm) {
        static final Rss NONE = new Rss(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    record Run(String label, Map<String, Row> rows) {
    }

    private Compare() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                out = Path.of(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.size() < 2) {
            System.err.println("usage: Compare [--out DIR] SERVER.json PEER.json [PEER2.json ...]");
            System.exit(2);
        }
        List<Run> runs = new ArrayList<>();
        for (Path f : files) {
            runs.add(load(f));
        }
        String table = table(runs);
        System.out.print(table);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("comparison.md"), table);
            chart(runs, "throughput (headline figure of each workload; higher is better)", Row::value, true,
                    out.resolve("throughput.png"));
            chart(runs, "p99 latency in microseconds (lower is better)", Row::p99us, false, out.resolve("latency-p99.png"));
            chart(runs, "server CPU time per operation in microseconds (lower is better)", Row::cpuUsPerOp, false,
                    out.resolve("server-cpu-per-op.png"));
            System.out.println("\ncharts: " + out.resolve("throughput.png") + ", " + out.resolve("latency-p99.png") + ", "
                    + out.resolve("server-cpu-per-op.png"));
        }
    }

    @SuppressWarnings("unchecked")
    static Run load(Path f) throws IOException {
        Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readString(f));
        String label = String.valueOf(doc.getOrDefault("label", ""));
        if (label.isEmpty()) {
            label = f.getFileName().toString().replaceFirst("\\.json$", "");
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Object o : (List<Object>) doc.get("results")) {
            Map<String, Object> r = (Map<String, Object>) o;
            String w = (String) r.get("workload");
            if (r.containsKey("failure")) {
                rows.put(w, new Row(w, "", Double.NaN, Double.NaN, Double.NaN, Rss.NONE, (String) r.get("failure")));
            } else {
                rows.put(w, new Row(w, (String) r.get("metric"), num(r.get("value")), num(r.get("p99_us")),
                        num(r.get("server_cpu_us_per_op")), rss(r.get("server_rss_kib")), null));
            }
        }
        return new Run(label, rows);
    }

    @SuppressWarnings("unchecked")
    private static Rss rss(Object o) {
        if (!(o instanceof Map<?, ?>)) {
            return Rss.NONE;
        }
        Map<String, Object> m = (Map<String, Object>) o;
        return new Rss(num(m.get("peak")) / 1024, num(m.get("peak_file")) / 1024, num(m.get("after")) / 1024,
                num(m.get("hwm")) / 1024);
    }

    private static double num(Object o) {
        return o instanceof Double d && d >= 0 ? d : Double.NaN;
    }

    private static List<String> workloads(List<Run> runs) {
        List<String> ws = new ArrayList<>();
        for (Run r : runs) {
            for (String w : r.rows.keySet()) {
                if (!ws.contains(w)) {
                    ws.add(w);
                }
            }
        }
        return ws;
    }

    static String table(List<Run> runs) {
        Run a = runs.get(0);
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("workload", "unit", a.label));
        for (Run p : runs.subList(1, runs.size())) {
            head.add(p.label);
            head.add(a.label + "/" + p.label);
        }
        for (Run r : runs) {
            head.add("p99 µs " + r.label);
        }
        for (Run r : runs) {
            head.add("CPU µs/op " + r.label);
        }
        boolean rss = runs.stream().anyMatch(r -> r.rows.values().stream().anyMatch(x -> !Double.isNaN(x.rss.peak)));
        if (rss) {
            for (Run r : runs) {
                head.add("RSS MiB peak/after " + r.label);
            }
        }
        sb.append("| ").append(String.join(" | ", head)).append(" |\n");
        sb.append("|").append("---|".repeat(2)).append("---:|".repeat(head.size() - 2)).append("\n");
        for (String w : workloads(runs)) {
            Row ra = a.rows.get(w);
            String metric = runs.stream().map(r -> r.rows.get(w)).filter(r -> r != null && !r.metric.isEmpty())
                    .map(Row::metric).findFirst().orElse("");
            List<String> cells = new ArrayList<>(List.of(w, metric, fmt(ra, Row::value)));
            for (Run p : runs.subList(1, runs.size())) {
                Row rp = p.rows.get(w);
                cells.add(fmt(rp, Row::value));
                double ratio = ra == null || rp == null ? Double.NaN : ra.value / rp.value;
                cells.add(Double.isNaN(ratio) || Double.isInfinite(ratio) ? "–" : String.format(Locale.ROOT, "%.2f", ratio));
            }
            for (Run r : runs) {
                cells.add(fmt(r.rows.get(w), Row::p99us));
            }
            for (Run r : runs) {
                cells.add(fmt(r.rows.get(w), Row::cpuUsPerOp));
            }
            if (rss) {
                for (Run r : runs) {
                    Row x = r.rows.get(w);
                    cells.add(x == null || x.failure != null ? "–" : mib(x.rss.peak) + " / " + mib(x.rss.after));
                }
            }
            sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        if (rss) {
            sb.append("\nserver RSS over the run (largest peak, its file-backed part; VmHWM at the end):");
            for (Run r : runs) {
                double peak = Double.NaN;
                double file = Double.NaN;
                double hwm = Double.NaN;
                for (Row row : r.rows.values()) {
                    if (!Double.isNaN(row.rss.peak) && !(row.rss.peak <= peak)) {
                        peak = row.rss.peak;
                        file = row.rss.peakFile;
                    }
                    hwm = Double.isNaN(row.rss.hwm) ? hwm : row.rss.hwm;
                }
                sb.append(" ").append(r.label).append(" ").append(mib(peak)).append(" MiB (file ").append(mib(file))
                        .append("), HWM ").append(mib(hwm)).append(" MiB;");
            }
            sb.setLength(sb.length() - 1);
            sb.append("\n");
        }
        for (Run r : runs) {
            for (Row row : r.rows.values()) {
                if (row.failure != null) {
                    sb.append("\n").append(r.label).append(" ").append(row.workload).append(" failed: ").append(row.failure);
                }
            }
        }
        return sb.toString();
    }

    interface Metric {
        double of(Row r);
    }

    private static String fmt(Row r, Metric m) {
        if (r == null || r.failure != null) {
            return r == null ? "–" : "failed";
        }
        double v = m.of(r);
        return Double.isNaN(v) ? "–" : human(v);
    }

    private static String mib(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String human(double v) {
        if (v >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** One panel per workload (each with its own scale), one bar per server. */
    static void chart(List<Run> runs, String title, Metric m, boolean showUnit, Path file) throws IOException {
        List<String> ws = workloads(runs);
        int cols = Math.min(4, ws.size());
        int rowsN = (ws.size() + cols - 1) / cols;
        int pw = 300;
        int ph = 250;
        int top = 70;
        int w = cols * pw + 20;
        int h = top + rowsN * ph + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lx = 10;
        for (int i = 0; i < runs.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(lx, 36, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(runs.get(i).label, lx + 16, 47);
            lx += 30 + g.getFontMetrics().stringWidth(runs.get(i).label);
        }
        for (int k = 0; k < ws.size(); k++) {
            String wl = ws.get(k);
            int x0 = 10 + (k % cols) * pw;
            int y0 = top + (k / cols) * ph;
            double max = 0;
            String unit = "";
            for (Run r : runs) {
                Row row = r.rows.get(wl);
                if (row != null && row.failure == null && !Double.isNaN(m.of(row))) {
                    max = Math.max(max, m.of(row));
                    if (unit.isEmpty()) {
                        unit = row.metric;
                    }
                }
            }
            g.setColor(new Color(0xf4f4f4));
            g.fillRect(x0 + 5, y0, pw - 10, ph - 10);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            String head = showUnit ? wl + " (" + unit + ")" : wl;
            g.drawString(head, x0 + 12, y0 + 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int base = y0 + ph - 30;
            int areaH = ph - 70;
            int n = runs.size();
            int bw = Math.min(60, (pw - 40) / n - 10);
            for (int i = 0; i < n; i++) {
                Row row = runs.get(i).rows.get(wl);
                int bx = x0 + 20 + i * (bw + 10);
                double v = row == null || row.failure != null ? Double.NaN : m.of(row);
                String label = Double.isNaN(v) ? "n/a" : human(v);
                int bh = Double.isNaN(v) || max <= 0 ? 0 : (int) Math.round(v / max * areaH);
                g.setColor(COLORS[i % COLORS.length]);
                g.fillRect(bx, base - bh, bw, bh);
                g.setColor(Color.BLACK);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(label, bx + (bw - fm.stringWidth(label)) / 2, base - bh - 4);
            }
            g.setStroke(new BasicStroke(1));
            g.drawLine(x0 + 15, base, x0 + pw - 15, base);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
