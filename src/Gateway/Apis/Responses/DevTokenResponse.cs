namespace BookMyShow.Gateway.Apis;

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn);
