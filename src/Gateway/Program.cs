using BookMyShow.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddGatewayServices();

var app = builder.Build();
app.MapGateway();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("BookMyShow gateway listening on {Urls}", string.Join(", ", app.Urls)));
await app.RunAsync();

/// <summary>Entry point; public so tests can refer to the assembly.</summary>
public partial class Program;
