namespace Lis.Geo.Transit.TransXChange;

/// <summary>
/// OSGB36 British National Grid easting/northing (EPSG:27700) to WGS84 latitude/longitude, for stop
/// locations that TransXChange gives only as a grid reference. Inverse Transverse Mercator on the
/// Airy 1830 ellipsoid, then the OS seven-parameter Helmert transformation to WGS84, as in Ordnance
/// Survey's "A guide to coordinate systems in Great Britain" (annexes B–C): good to about 5 m, far
/// inside a walk time's rounding; OSTN15 (about 0.1 m) would need its grid file.
/// </summary>
public static class BritishNationalGrid
{
    private const double AiryA = 6_377_563.396, AiryB = 6_356_256.909;
    private const double F0 = 0.9996012717, E0 = 400_000, N0 = -100_000;
    private const double Phi0 = 49 * Math.PI / 180, Lambda0 = -2 * Math.PI / 180;
    private const double Wgs84A = 6_378_137.0, Wgs84B = 6_356_752.314245;

    public static GeoPoint ToWgs84(double easting, double northing)
    {
        var (phi, lambda) = InverseTransverseMercator(easting, northing);
        var (x, y, z) = ToCartesian(phi, lambda, AiryA, AiryB);
        // OSGB36 → WGS84 (the inverse of the OS guide's WGS84 → OSGB36 parameters).
        const double tx = 446.448, ty = -125.157, tz = 542.060, s = -20.4894e-6;
        const double arcsec = Math.PI / (180 * 3600);
        const double rx = 0.1502 * arcsec, ry = 0.2470 * arcsec, rz = 0.8421 * arcsec;
        var x2 = tx + (1 + s) * x - rz * y + ry * z;
        var y2 = ty + rz * x + (1 + s) * y - rx * z;
        var z2 = tz - ry * x + rx * y + (1 + s) * z;
        var (lat, lon) = FromCartesian(x2, y2, z2, Wgs84A, Wgs84B);
        return new GeoPoint(lat * 180 / Math.PI, lon * 180 / Math.PI);
    }

    private static (double Phi, double Lambda) InverseTransverseMercator(double e, double nGrid)
    {
        const double a = AiryA, b = AiryB;
        var e2 = 1 - b * b / (a * a);
        var n = (a - b) / (a + b);
        double n2 = n * n, n3 = n2 * n;
        var phi = Phi0;
        var m = 0.0;
        do
        {
            phi = (nGrid - N0 - m) / (a * F0) + phi;
            double dp = phi - Phi0, sp = phi + Phi0;
            m = b * F0 * ((1 + n + 5.0 / 4 * n2 + 5.0 / 4 * n3) * dp
                          - (3 * n + 3 * n2 + 21.0 / 8 * n3) * Math.Sin(dp) * Math.Cos(sp)
                          + (15.0 / 8 * n2 + 15.0 / 8 * n3) * Math.Sin(2 * dp) * Math.Cos(2 * sp)
                          - 35.0 / 24 * n3 * Math.Sin(3 * dp) * Math.Cos(3 * sp));
        } while (Math.Abs(nGrid - N0 - m) >= 0.00001);

        double sin = Math.Sin(phi), cos = Math.Cos(phi), tan = Math.Tan(phi);
        var nu = a * F0 / Math.Sqrt(1 - e2 * sin * sin);
        var rho = a * F0 * (1 - e2) / Math.Pow(1 - e2 * sin * sin, 1.5);
        var eta2 = nu / rho - 1;
        double t2 = tan * tan, t4 = t2 * t2, t6 = t4 * t2, sec = 1 / cos;
        var vii = tan / (2 * rho * nu);
        var viii = tan / (24 * rho * Math.Pow(nu, 3)) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2);
        var ix = tan / (720 * rho * Math.Pow(nu, 5)) * (61 + 90 * t2 + 45 * t4);
        var x = sec / nu;
        var xi = sec / (6 * Math.Pow(nu, 3)) * (nu / rho + 2 * t2);
        var xii = sec / (120 * Math.Pow(nu, 5)) * (5 + 28 * t2 + 24 * t4);
        var xiia = sec / (5040 * Math.Pow(nu, 7)) * (61 + 662 * t2 + 1320 * t4 + 720 * t6);
        var de = e - E0;
        double de2 = de * de, de3 = de2 * de, de4 = de3 * de, de5 = de4 * de, de6 = de5 * de, de7 = de6 * de;
        return (phi - vii * de2 + viii * de4 - ix * de6,
                Lambda0 + x * de - xi * de3 + xii * de5 - xiia * de7);
    }

    private static (double X, double Y, double Z) ToCartesian(double phi, double lambda, double a, double b)
    {
        var e2 = 1 - b * b / (a * a);
        var sin = Math.Sin(phi);
        var nu = a / Math.Sqrt(1 - e2 * sin * sin);
        return (nu * Math.Cos(phi) * Math.Cos(lambda), nu * Math.Cos(phi) * Math.Sin(lambda), (1 - e2) * nu * sin);
    }

    private static (double Phi, double Lambda) FromCartesian(double x, double y, double z, double a, double b)
    {
        var e2 = 1 - b * b / (a * a);
        var p = Math.Sqrt(x * x + y * y);
        var phi = Math.Atan2(z, p * (1 - e2));
        for (var i = 0; i < 10; i++)
        {
            var sin = Math.Sin(phi);
            var nu = a / Math.Sqrt(1 - e2 * sin * sin);
            phi = Math.Atan2(z + e2 * nu * sin, p);
        }
        return (phi, Math.Atan2(y, x));
    }
}
