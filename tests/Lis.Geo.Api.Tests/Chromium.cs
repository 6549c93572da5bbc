using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Lis.Geo.Api.Tests;

/// <summary>Debian's Chromium (/usr/bin/chromium, or LISGEO_CHROMIUM), driven headless: the real browser planners print from.</summary>
public static partial class Chromium
{
    public static string Executable => Environment.GetEnvironmentVariable("LISGEO_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>
    /// Chromium headless through Playwright for the /map pages: SwiftShader draws WebGL without a GPU, as on a CI
    /// machine. One place for the flags, so every map test runs the browser the same way.
    /// </summary>
    public static Task<Microsoft.Playwright.IBrowser> LaunchForMapAsync(Microsoft.Playwright.IPlaywright playwright)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: apt-get install chromium");
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Executable, Headless = true,
            Args = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
        });
    }

    /// <summary>Pages of a PDF: its page objects (/Type /Page, not /Pages).</summary>
    public static int PdfPages(byte[] pdf) => PageObject().Matches(Encoding.Latin1.GetString(pdf)).Count;

    [GeneratedRegex(@"/Type\s*/Page(?![a-zA-Z])")]
    private static partial Regex PageObject();

    /// <summary>Chromium's own print-to-PDF (A4 from the report's @page rule), no header or footer, as "Save as PDF" gives.</summary>
    public static async Task PrintToPdfAsync(string htmlFile, string pdfFile)
    {
        var chromium = Executable;
        Assert.True(File.Exists(chromium), $"{chromium} is missing: apt-get install chromium (scripts/test does it as root)");
        var profile = Path.Combine(Path.GetTempPath(), $"lisgeo-chromium-{Guid.NewGuid():N}");
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
            ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", $"--user-data-dir={profile}", $"--print-to-pdf={pdfFile}", new Uri(htmlFile).AbsoluteUri },
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(File.Exists(pdfFile), $"chromium wrote no PDF (exit {process.ExitCode}): {await stderr}");
        try { Directory.Delete(profile, true); } catch (IOException) { }
    }
}
