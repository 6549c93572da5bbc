// The namespaces Lis.Geo.Jobs's code is built on, named once for the whole project (each is used by a
// fifth of its files or more); a file's own using list names only what it alone needs.
global using System.Text.Json;
global using Hangfire;
global using Lis.Geo.Analysis;
global using Lis.Geo.Data;
global using Lis.Geo.Data.Analyses;
global using Lis.Geo.Data.Feeds;
global using Lis.Geo.Data.Model;
global using Lis.Geo.Transit;
global using Lis.Geo.Transit.Routing;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.Logging;
global using Npgsql;
