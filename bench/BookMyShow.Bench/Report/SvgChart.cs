using System.Globalization;
using System.Net;
using System.Text;

namespace BookMyShow.Bench.Report;

/// <summary>A line chart written as SVG by hand: series of points, axes with round ticks, a legend, vertical markers.</summary>
public sealed class SvgChart(string title, string xLabel, string yLabel)
{
    const int Width = 900, Height = 460, Left = 80, Right = 230, Top = 40, Bottom = 60;
    static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

    /// <summary>One series: a line (optionally dashed, stepped, with a dot at each point), or dots alone.</summary>
    sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Dashed, bool Steps, bool Markers, bool LineDrawn, double Width = 2);

    readonly List<Series> _series = [];
    readonly List<(double X, string Label)> _markers = [];
    readonly List<(double From, double To, string Label)> _bands = [];

    public bool LogX { get; init; }
    public bool LogY { get; init; }
    public double? YMax { get; init; }

    /// <summary>The colour each system keeps in every chart: the pipeline blue, the baseline red.</summary>
    public static string? ColorOf(string target) => target switch
    {
        "pipeline" => Palette[0],
        "baseline" => Palette[1],
        _ => null,
    };

    /// <param name="color">A fixed colour (e.g. <see cref="ColorOf"/>); default: the next one of the palette.</param>
    /// <param name="markers">A dot at each point, for series of a few points (steps) where a line alone hides them.</param>
    /// <param name="width">Stroke width; a wide pale line drawn first stays visible under the lines that follow it.</param>
    public SvgChart Line(string name, IEnumerable<(double X, double Y)> points, bool dashed = false, bool steps = false, string? color = null, bool markers = false, double width = 2)
    {
        _series.Add(new(name, points.ToList(), color ?? NextColor(), dashed, steps, markers, LineDrawn: true, width));
        return this;
    }

    /// <summary>Dots only (hollow): single measurements that belong to no line, such as a step's failed first try.</summary>
    public SvgChart Points(string name, IEnumerable<(double X, double Y)> points, string? color = null)
    {
        _series.Add(new(name, points.ToList(), color ?? NextColor(), Dashed: false, Steps: false, Markers: true, LineDrawn: false));
        return this;
    }

    /// <summary>A palette colour no series has yet, for series that share one (a run's decision and admission lines).</summary>
    public string NextColor()
    {
        // The palette's first two colours belong to the pipeline and the baseline (ColorOf); others take the rest in turn.
        var used = _series.Select(s => s.Color).ToHashSet();
        return Palette.Skip(2).FirstOrDefault(c => !used.Contains(c)) ?? Palette[2 + _series.Count % (Palette.Length - 2)];
    }

    public SvgChart Marker(double x, string label)
    {
        _markers.Add((x, label));
        return this;
    }

    public SvgChart Band(double from, double to, string label)
    {
        _bands.Add((from, to, label));
        return this;
    }

    public void Save(string path) => File.WriteAllText(path, Render());

    public string Render()
    {
        bool Shown((double X, double Y) p) => (!LogX || p.X > 0) && (!LogY || p.Y > 0);
        var all = _series.SelectMany(s => s.Points).Where(Shown).ToList();
        var xs = all.Select(p => p.X).Concat(_markers.Select(m => m.X)).Concat(_bands.SelectMany(b => new[] { b.From, b.To })).ToList();
        double xMin = xs.Count > 0 ? xs.Min() : 0, xMax = xs.Count > 0 ? xs.Max() : 1;
        double[] xTicks;
        if (LogX)
        {
            (xTicks, xMin, xMax) = LogTicks(xMin, xMax);
        }
        else
        {
            xMin = Math.Min(0, xMin);
            if (xMax <= xMin) xMax = xMin + 1;
            (xTicks, xMax) = NiceTicks(xMin, xMax);
        }
        double yMin = 0, yMax;
        double[] yTicks;
        if (LogY)
        {
            var ys = all.Select(p => p.Y).ToList();
            (yTicks, yMin, yMax) = LogTicks(ys.Count > 0 ? ys.Min() : 1, YMax ?? (ys.Count > 0 ? ys.Max() : 10));
        }
        else
        {
            yMax = YMax ?? (all.Count > 0 ? all.Max(p => p.Y) : 1);
            if (yMax <= 0) yMax = 1;
            (yTicks, yMax) = NiceTicks(0, yMax);
        }

        double PlotW = Width - Left - Right, PlotH = Height - Top - Bottom;
        static double Scale(double v, double min, double max, bool log) =>
            log ? (Math.Log10(Math.Max(v, min)) - Math.Log10(min)) / (Math.Log10(max) - Math.Log10(min)) : (v - min) / (max - min);
        double X(double x) => Left + PlotW * Scale(x, xMin, xMax, LogX);
        double Y(double y) => Top + PlotH * (1 - Math.Clamp(Scale(y, yMin, yMax, LogY), 0, 1.02));

        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(title)}</text>\n"));
        foreach (var (from, to, label) in _bands)
        {
            svg.Append(Inv($"<rect x=\"{X(from):0.#}\" y=\"{Top}\" width=\"{Math.Max(1, X(to) - X(from)):0.#}\" height=\"{PlotH:0.#}\" fill=\"#f4e3b5\" opacity=\"0.6\"/>\n"));
            svg.Append(Inv($"<text x=\"{X(from) + 4:0.#}\" y=\"{Top + 14}\" fill=\"#8a6d1d\">{Esc(label)}</text>\n"));
        }
        foreach (var t in yTicks)
        {
            svg.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotW:0.#}\" y1=\"{Y(t):0.#}\" y2=\"{Y(t):0.#}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Y(t) + 4:0.#}\" text-anchor=\"end\">{Label(t)}</text>\n"));
        }
        foreach (var t in xTicks)
        {
            svg.Append(Inv($"<line x1=\"{X(t):0.#}\" x2=\"{X(t):0.#}\" y1=\"{Top}\" y2=\"{Top + PlotH:0.#}\" stroke=\"#f0f0f0\"/>\n"));
            svg.Append(Inv($"<text x=\"{X(t):0.#}\" y=\"{Top + PlotH + 16:0.#}\" text-anchor=\"middle\">{Label(t)}</text>\n"));
        }
        svg.Append(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotW:0.#}\" height=\"{PlotH:0.#}\" fill=\"none\" stroke=\"#333\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left + PlotW / 2:0.#}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Esc(xLabel)}</text>\n"));
        svg.Append(Inv($"<text transform=\"translate(18 {Top + PlotH / 2:0.#}) rotate(-90)\" text-anchor=\"middle\">{Esc(yLabel)}</text>\n"));
        foreach (var (x, label) in _markers)
        {
            svg.Append(Inv($"<line x1=\"{X(x):0.#}\" x2=\"{X(x):0.#}\" y1=\"{Top}\" y2=\"{Top + PlotH:0.#}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n"));
            svg.Append(Inv($"<text x=\"{X(x) + 4:0.#}\" y=\"{Top + PlotH - 6:0.#}\" fill=\"#555\">{Esc(label)}</text>\n"));
        }
        for (var i = 0; i < _series.Count; i++)
        {
            var series = _series[i];
            var dash = series.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var points = series.Points.Where(Shown).ToList();
            if (series.LineDrawn)
            {
                var path = new StringBuilder();
                for (var j = 0; j < points.Count; j++)
                {
                    var p = points[j];
                    if (j == 0) path.Append(Inv($"M{X(p.X):0.#},{Y(p.Y):0.#}"));
                    else if (series.Steps) path.Append(Inv($" H{X(p.X):0.#} V{Y(p.Y):0.#}"));
                    else path.Append(Inv($" L{X(p.X):0.#},{Y(p.Y):0.#}"));
                }
                if (path.Length > 0) svg.Append(Inv($"<path d=\"{path}\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"{series.Width}\"{dash}/>\n"));
            }
            if (series.Markers)
            {
                var fill = series.LineDrawn ? series.Color : "white";
                foreach (var p in points) svg.Append(Inv($"<circle cx=\"{X(p.X):0.#}\" cy=\"{Y(p.Y):0.#}\" r=\"4\" fill=\"{fill}\" stroke=\"{series.Color}\" stroke-width=\"2\"/>\n"));
            }
            var ly = Top + 10 + i * 20;
            if (series.LineDrawn)
            {
                svg.Append(Inv($"<line x1=\"{Width - Right + 12}\" x2=\"{Width - Right + 40}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{series.Color}\" stroke-width=\"{series.Width}\"{dash}/>\n"));
            }
            if (series.Markers)
            {
                svg.Append(Inv($"<circle cx=\"{Width - Right + 26}\" cy=\"{ly}\" r=\"4\" fill=\"{(series.LineDrawn ? series.Color : "white")}\" stroke=\"{series.Color}\" stroke-width=\"2\"/>\n"));
            }
            svg.Append(Inv($"<text x=\"{Width - Right + 46}\" y=\"{ly + 4}\">{Esc(series.Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Cumulative share of values at or below each value: a CDF as points.</summary>
    public static IEnumerable<(double X, double Y)> Cdf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i + 1 < sorted.Length && sorted[i + 1] == sorted[i]) continue;
            yield return (sorted[i], 100.0 * (i + 1) / sorted.Length);
        }
    }

    /// <summary>Running count of events over time (seconds): a step line.</summary>
    public static IEnumerable<(double X, double Y)> Cumulative(IEnumerable<double> timesSeconds)
    {
        var sorted = timesSeconds.Order().ToArray();
        yield return (sorted.Length > 0 ? Math.Min(0, sorted[0]) : 0, 0);
        var step = Math.Max(1, sorted.Length / 2000);
        for (var i = 0; i < sorted.Length; i += step) yield return (sorted[i], i + 1);
        if (sorted.Length > 0) yield return (sorted[^1], sorted.Length);
    }

    /// <summary>
    /// A log axis from a 1-2-5 value below <paramref name="min"/> to one above <paramref name="max"/>,
    /// ticks at every 1-2-5 value between (only the powers of ten when it spans more than three decades).
    /// </summary>
    static (double[] Ticks, double Min, double Max) LogTicks(double min, double max)
    {
        min = Math.Max(min, 1e-3);
        max = Math.Max(max, min * 1.0001);
        static IEnumerable<double> Candidates(double from, double to)
        {
            for (var decade = Math.Pow(10, Math.Floor(Math.Log10(from)) - 1); decade <= to * 10; decade *= 10)
            {
                foreach (var m in new[] { 1.0, 2.0, 5.0 }) yield return Math.Round(m * decade, 6);
            }
        }
        var candidates = Candidates(min, max).ToList();
        // A margin of at least 10 % at either end, so the first and last points do not sit on the axes.
        var low = candidates.Last(c => c <= min / 1.1);
        var high = candidates.First(c => c >= max * 1.1);
        var decades = Math.Log10(high / low);
        var ticks = candidates.Where(c => c >= low && c <= high && (decades <= 3 || Math.Abs(Math.Log10(c) - Math.Round(Math.Log10(c))) < 1e-9)).ToArray();
        return (ticks, low, high);
    }

    static (double[] Ticks, double Top) NiceTicks(double min, double max)
    {
        var span = max - min;
        var raw = span / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var start = Math.Floor(min / step) * step;
        var top = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (var t = start; t <= top + step / 1000; t += step) ticks.Add(Math.Round(t, 6));
        return ([.. ticks], top);
    }

    static string Label(double value) =>
        Math.Abs(value) >= 10000 ? (value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k" : value.ToString("0.###", CultureInfo.InvariantCulture);

    static string Esc(string text) => WebUtility.HtmlEncode(text);

    static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
