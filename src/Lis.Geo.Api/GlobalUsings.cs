// The namespaces Lis.Geo.Api's code is built on, named once for the whole project (each is used by a
// fifth of its files or more); a file's own using list names only what it alone needs.
global using System.Globalization;
global using System.Text.Json;
global using Lis.Geo.Api.Infrastructure;
global using Lis.Geo.Data;
global using Lis.Geo.Data.Layers;
global using Lis.Geo.Data.Model;
global using Lis.Geo.Jobs;
global using Microsoft.Extensions.Options;
global using Npgsql;
