-- wrk script: a mixed set of /api/search requests, as the explorer issues
-- them (text, phrases, boolean, prefix, field filters, facets, sorts, deep
-- pages), chosen round-robin from a fixed list so every run is the same.
local queries = {
  "q=write&facets=model,language,country,state,toxic,redacted,turns,month",
  "q=python",
  "q=%22write+a%22",
  "q=story+OR+poem&sort=newest",
  "q=essay+-homework",
  "q=transl*",
  "q=language:Chinese&facets=model,country",
  "q=model:gpt-4*+language:English",
  "q=country:%22United+States%22&sort=newest",
  "q=toxic:true&facets=language",
  "q=turns:%3E%3D5+code",
  "q=date:2023-06&sort=oldest",
  "q=user:(write+a+story)",
  "q=the&offset=30000",
  "q=&sort=random&seed=7",
  "q=help+me&facets=language,month",
  "q=redacted:true",
  "q=first:(hello)",
  "q=mod.harassment%3E0.5",
  "q=function+return",
}
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/search?" .. q)
end
