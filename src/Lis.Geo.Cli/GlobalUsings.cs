// The namespaces Lis.Geo.Cli's code is built on, named once for the whole project (each is used by a
// fifth of its files or more); a file's own using list names only what it alone needs.
global using System.Globalization;
global using System.Text.Json;
global using Lis.Geo.Transit.Routing;
global using Lis.Geo.Transit.Walking;
